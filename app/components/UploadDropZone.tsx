'use client';

import { useRef, useState, type DragEvent } from 'react';
import { Upload, type DetailedError } from 'tus-js-client';
import { describeUnsupported, sniffContainer } from '@/lib/audio/decode/probe';
import { formatBytes } from './format';

interface UploadState {
  key: string;
  name: string;
  sizeBytes: number;
  sentBytes: number;
  status: 'checking' | 'uploading' | 'finishing' | 'done' | 'error';
  error?: string;
}

/** Big enough chunks for throughput, small enough that a proxy body limit or a dropped link costs little. */
const CHUNK_BYTES = 32 * 1024 * 1024;

function serverMessage(error: Error): string {
  const body = (error as DetailedError).originalResponse?.getBody()?.trim();
  return body || error.message;
}

export function UploadDropZone({ trackId, onUploaded }: { trackId: string; onUploaded?: () => void }) {
  const [kind, setKind] = useState<'mix' | 'reference'>('mix');
  const [over, setOver] = useState(false);
  const [uploads, setUploads] = useState<UploadState[]>([]);
  const input = useRef<HTMLInputElement>(null);

  const patch = (key: string, change: Partial<UploadState>) =>
    setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));

  async function start(file: File) {
    const key = `${file.name}-${file.size}-${Date.now()}-${Math.random()}`;
    setUploads((all) => [...all, { key, name: file.name, sizeBytes: file.size, sentBytes: 0, status: 'checking' }]);
    if (file.size === 0) return patch(key, { status: 'error', error: 'The file is empty (0 bytes)' });
    // Same magic-byte check the server does, so a wrong file is refused before a single byte is sent.
    const head = new Uint8Array(await file.slice(0, 64 * 1024).arrayBuffer());
    if (!sniffContainer(head)) return patch(key, { status: 'error', error: `Rejected: ${describeUnsupported(head)}` });
    patch(key, { status: 'uploading' });
    const upload = new Upload(file, {
      endpoint: '/api/uploads',
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      removeFingerprintOnSuccess: true,
      metadata: { trackId, kind, filename: file.name, filetype: file.type || 'application/octet-stream' },
      onProgress: (sent) => patch(key, { sentBytes: sent, status: sent >= file.size ? 'finishing' : 'uploading' }),
      onShouldRetry: (error) => {
        const status = (error as DetailedError).originalResponse?.getStatus() ?? 0;
        return status === 0 || status >= 500 || status === 409 || status === 423;
      },
      onError: (error) => patch(key, { status: 'error', error: serverMessage(error) }),
      onSuccess: () => {
        patch(key, { status: 'done', sentBytes: file.size });
        onUploaded?.();
      },
    });
    const previous = await upload.findPreviousUploads();
    if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setOver(false);
    for (const file of Array.from(event.dataTransfer.files)) void start(file);
  }

  return (
    <div className="stack" style={{ gap: 8 }}>
      <div
        className={`dropzone${over ? ' active' : ''}`}
        data-testid={`dropzone-${trackId}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        onClick={() => input.current?.click()}
      >
        Drop a {kind === 'mix' ? 'mix' : 'reference track'} here or click to choose ·{' '}
        <select
          value={kind}
          onClick={(e) => e.stopPropagation()}
          onChange={(e) => setKind(e.target.value as 'mix' | 'reference')}
          aria-label="Upload as"
        >
          <option value="mix">as new mix version</option>
          <option value="reference">as reference</option>
        </select>
        <input
          ref={input}
          type="file"
          accept="audio/*,.wav,.aif,.aiff,.flac,.mp3,.ogg,.m4a"
          multiple
          hidden
          data-testid={`file-input-${trackId}`}
          onChange={(e) => {
            for (const file of Array.from(e.target.files ?? [])) void start(file);
            e.target.value = '';
          }}
        />
      </div>
      {uploads.map((u) => (
        <div key={u.key} className="stack" style={{ gap: 4 }} data-testid="upload-row">
          <div className="spread subtle">
            <span>{u.name}</span>
            <span>
              {u.status === 'error'
                ? ''
                : u.status === 'done'
                  ? 'Uploaded'
                  : u.status === 'finishing'
                    ? 'Checking and storing…'
                    : `${formatBytes(u.sentBytes)} of ${formatBytes(u.sizeBytes)}`}
            </span>
          </div>
          {u.status !== 'error' && (
            <div className="progress" role="progressbar" aria-valuenow={Math.round((100 * u.sentBytes) / Math.max(1, u.sizeBytes))} aria-valuemin={0} aria-valuemax={100} data-testid="upload-progress">
              <div style={{ width: `${(100 * u.sentBytes) / Math.max(1, u.sizeBytes)}%` }} />
            </div>
          )}
          {u.error && (
            <span className="error" role="alert">
              {u.error}
            </span>
          )}
        </div>
      ))}
    </div>
  );
}
