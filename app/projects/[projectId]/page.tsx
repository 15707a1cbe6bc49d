import { notFound } from 'next/navigation';
import { requirePageUser } from '@/lib/server/auth/pageSession';
import { listMembers } from '@/lib/server/projects/members';
import { getProject } from '@/lib/server/projects/projects';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { listActiveJobs, listTracks } from '@/lib/server/projects/tracks';
import { ProjectView } from '../../components/ProjectView';

export default async function ProjectPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const user = await requirePageUser();
  try {
    const [project, tracks, members, jobs] = await Promise.all([
      getProject(user.id, projectId),
      listTracks(user.id, projectId),
      listMembers(user.id, projectId),
      listActiveJobs(user.id, projectId),
    ]);
    return (
      <ProjectView
        project={{ id: project.id, name: project.name, role: project.role }}
        tracks={tracks}
        members={members}
        jobs={jobs}
        currentUserId={user.id}
      />
    );
  } catch (error) {
    if (error instanceof ServiceError && error.status === 404) notFound();
    throw error;
  }
}
