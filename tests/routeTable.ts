// Every HTTP endpoint of the app and who may call it. tests/accessMatrix.test.ts fails when a route.ts file or an
// exported method has no entry here, so a new route cannot ship without its access rule being tested.
import type { Role } from '../lib/generated/prisma/enums';

/** `public`: anyone; `user`: any signed-in user (acts only on their own data); a role: membership of the project. */
export type Access = 'public' | 'user' | Role;

export interface RouteRule {
  method: 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE';
  /** App Router path with [param] segments, exactly as under app/. */
  path: string;
  access: Access;
  /** A valid body for the action, so a refusal is about access and not about input. */
  body?: unknown;
  /** Safe to call for real with an allowed role (no destruction of the fixture). */
  safe?: boolean;
}

export const ROUTES: RouteRule[] = [
  { method: 'GET', path: '/api/auth/[...nextauth]', access: 'public' },
  { method: 'POST', path: '/api/auth/[...nextauth]', access: 'public' },
  { method: 'POST', path: '/api/signup', access: 'public' },
  { method: 'GET', path: '/api/health', access: 'public' },
  { method: 'GET', path: '/api/projects', access: 'user', safe: true },
  { method: 'POST', path: '/api/projects', access: 'user', body: { name: 'Matrix' }, safe: true },
  { method: 'GET', path: '/api/projects/[projectId]', access: 'viewer', safe: true },
  { method: 'PATCH', path: '/api/projects/[projectId]', access: 'owner', body: { name: 'Renamed' }, safe: true },
  { method: 'DELETE', path: '/api/projects/[projectId]', access: 'owner' },
  { method: 'GET', path: '/api/projects/[projectId]/members', access: 'viewer', safe: true },
  { method: 'POST', path: '/api/projects/[projectId]/members', access: 'owner', body: { email: 'new@example.com', role: 'viewer' }, safe: true },
  { method: 'PATCH', path: '/api/projects/[projectId]/members/[membershipId]', access: 'owner', body: { role: 'viewer' } },
  { method: 'DELETE', path: '/api/projects/[projectId]/members/[membershipId]', access: 'owner' },
  { method: 'DELETE', path: '/api/projects/[projectId]/invites/[inviteId]', access: 'owner' },
  { method: 'GET', path: '/api/projects/[projectId]/tracks', access: 'viewer', safe: true },
  { method: 'POST', path: '/api/projects/[projectId]/tracks', access: 'artist', body: { title: 'New track' }, safe: true },
  { method: 'GET', path: '/api/projects/[projectId]/jobs', access: 'viewer', safe: true },
  { method: 'GET', path: '/api/tracks/[trackId]', access: 'viewer', safe: true },
  { method: 'PATCH', path: '/api/tracks/[trackId]', access: 'artist', body: { title: 'Retitled' }, safe: true },
  { method: 'DELETE', path: '/api/tracks/[trackId]', access: 'owner' },
  { method: 'GET', path: '/api/tracks/[trackId]/assets', access: 'viewer', safe: true },
  { method: 'GET', path: '/api/assets/[assetId]', access: 'viewer', safe: true },
  { method: 'GET', path: '/api/assets/[assetId]/file', access: 'viewer', safe: true },
  { method: 'HEAD', path: '/api/assets/[assetId]/file', access: 'viewer', safe: true },
  { method: 'POST', path: '/api/assets/[assetId]/reanalyze', access: 'engineer', safe: true },
  // Review room (comments, chat, approvals, deliveries, guest links, notifications).
  { method: 'GET', path: '/api/tracks/[trackId]/comments', access: 'viewer', safe: true },
  { method: 'POST', path: '/api/tracks/[trackId]/comments', access: 'viewer', body: { body: 'Matrix comment', timeSeconds: 1 } },
  { method: 'PATCH', path: '/api/comments/[commentId]', access: 'viewer', body: { resolved: true }, safe: true },
  { method: 'DELETE', path: '/api/comments/[commentId]', access: 'viewer' },
  { method: 'GET', path: '/api/tracks/[trackId]/chat', access: 'viewer', safe: true },
  { method: 'POST', path: '/api/tracks/[trackId]/chat', access: 'viewer', body: { body: 'Matrix chat' }, safe: true },
  { method: 'GET', path: '/api/tracks/[trackId]/approvals', access: 'viewer', safe: true },
  { method: 'POST', path: '/api/assets/[assetId]/approval', access: 'artist' },
  { method: 'DELETE', path: '/api/assets/[assetId]/approval', access: 'artist' },
  { method: 'GET', path: '/api/assets/[assetId]/deliveries', access: 'viewer', safe: true },
  { method: 'POST', path: '/api/assets/[assetId]/deliveries', access: 'artist', body: {} },
  { method: 'GET', path: '/api/tracks/[trackId]/share-links', access: 'owner', safe: true },
  { method: 'POST', path: '/api/tracks/[trackId]/share-links', access: 'owner', body: { label: 'Matrix' }, safe: true },
  { method: 'DELETE', path: '/api/share-links/[shareLinkId]', access: 'owner' },
  { method: 'GET', path: '/api/tracks/[trackId]/metadata', access: 'viewer', safe: true },
  { method: 'PATCH', path: '/api/tracks/[trackId]/metadata', access: 'artist', body: { artist: 'Matrix Artist' }, safe: true },
  { method: 'GET', path: '/api/notifications', access: 'user', safe: true },
  { method: 'PATCH', path: '/api/notifications', access: 'user', body: {}, safe: true },
  // Guest review: the token is the credential (tests/review-guest.test.ts covers revoked/expired/wrong-track tokens).
  { method: 'GET', path: '/api/review/[token]', access: 'public' },
  { method: 'GET', path: '/api/review/[token]/comments', access: 'public' },
  { method: 'POST', path: '/api/review/[token]/comments', access: 'public' },
  { method: 'GET', path: '/api/review/[token]/assets/[assetId]/file', access: 'public' },
  { method: 'HEAD', path: '/api/review/[token]/assets/[assetId]/file', access: 'public' },
  { method: 'GET', path: '/api/review/[token]/assets/[assetId]/deliveries', access: 'public' },
  { method: 'GET', path: '/api/tracks/[trackId]/review', access: 'viewer', safe: true },
  { method: 'POST', path: '/api/tracks/[trackId]/masters', access: 'engineer', body: { mixId: 'x', referenceIds: [] } },
  { method: 'POST', path: '/api/tracks/[trackId]/masters/retry', access: 'engineer', body: { jobId: 'x' } },
  { method: 'GET', path: '/api/assets/[assetId]/peaks', access: 'viewer' },
];
