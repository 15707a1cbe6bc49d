import { z } from 'zod';

export const MAX_FILENAME_LENGTH = 255;
/** Upload-Metadata carries a few short fields; anything bigger is abuse, refused before it is parsed or stored. */
export const MAX_METADATA_HEADER_BYTES = 2048;

/**
 * The file name is only ever shown to people and used for download names, never as a path; still, names that look like
 * paths are refused outright so nobody downstream is tempted.
 */
export const uploadFilenameSchema = z
  .string({ error: 'filename is required' })
  .min(1, 'The file name is empty')
  .max(MAX_FILENAME_LENGTH, `The file name is longer than ${MAX_FILENAME_LENGTH} characters`)
  .refine((name) => !/[\\/]/.test(name), 'The file name must not contain / or \\')
  .refine((name) => name !== '.' && name !== '..', 'The file name is not a name')
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'The file name contains control characters');

/** What the browser sends (tus Upload-Metadata). Unknown keys are dropped. */
export const clientUploadMetadataSchema = z.object({
  trackId: z.string({ error: 'trackId is required' }).min(1).max(64, 'trackId is too long'),
  kind: z.enum(['mix', 'reference'], { error: 'kind must be mix or reference' }),
  filename: uploadFilenameSchema,
  filetype: z.string().max(255, 'filetype is too long').optional(),
});
export type ClientUploadMetadata = z.infer<typeof clientUploadMetadataSchema>;

/** What the server stores alongside the partial upload: the client fields plus who may continue it. */
export const storedUploadMetadataSchema = clientUploadMetadataSchema.extend({
  userId: z.string().min(1),
  projectId: z.string().min(1),
});
export type StoredUploadMetadata = z.infer<typeof storedUploadMetadataSchema>;
