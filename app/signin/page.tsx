import { redirect } from 'next/navigation';
import { getPageUser } from '@/lib/server/auth/pageSession';
import { AuthForm } from '../components/AuthForm';

export default async function SignInPage() {
  if (await getPageUser()) redirect('/projects');
  return <AuthForm mode="signin" />;
}
