import Link from 'next/link';
import { requirePageUser } from '@/lib/server/auth/pageSession';
import { listProjects } from '@/lib/server/projects/projects';
import { CreateProjectForm } from '../components/CreateProjectForm';

export default async function ProjectsPage() {
  const user = await requirePageUser();
  const projects = await listProjects(user.id);
  return (
    <div className="stack">
      <div>
        <h1>Projects</h1>
        <p className="subtle">Everything you are working on, and everything you were invited to.</p>
      </div>
      <div className="panel">
        <CreateProjectForm />
      </div>
      {projects.length === 0 ? (
        <div className="panel empty">No projects yet. Create one above, or ask a colleague to invite {user.email}.</div>
      ) : (
        <ul className="list">
          {projects.map((p) => (
            <li key={p.id} className="list-item">
              <div>
                <Link href={`/projects/${p.id}`}>
                  <strong>{p.name}</strong>
                </Link>
                <div className="subtle">
                  {p.trackCount} track{p.trackCount === 1 ? '' : 's'} · {p.memberCount} member{p.memberCount === 1 ? '' : 's'}
                </div>
              </div>
              <span className={`badge ${p.role}`}>{p.role}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
