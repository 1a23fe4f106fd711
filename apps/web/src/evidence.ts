import { ApiError } from './api';
import { session } from './session';

/** A 佐证材料 file as the API answers an upload and as a progress report or closure cites it. */
export interface UploadedEvidence {
  sha256: string;
  name: string;
  size: number;
  mediaType: string;
}

async function failure(response: Response): Promise<ApiError> {
  const p = (await response.json().catch(() => ({}))) as {
    code?: string;
    detail?: string;
    errors?: { field: string; rule: string; message: string }[];
  };
  return new ApiError(
    response.status,
    p.code ?? `HTTP_${response.status}`,
    p.detail ?? response.statusText,
    p.errors ?? [],
  );
}

/** POST /api/evidence, multipart with one `file`: the server checks type by content and the 20 MiB limit. */
export async function uploadEvidence(file: File): Promise<UploadedEvidence> {
  const form = new FormData();
  form.append('file', file, file.name);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  const response = await fetch('/api/evidence', { method: 'POST', headers, body: form });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as UploadedEvidence;
}

/** Downloads a file the API answers (evidence, a notice) with the token, and saves it under `filename`. */
export async function saveDownload(path: string, filename: string): Promise<void> {
  const headers: Record<string, string> = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  const response = await fetch(`/api${path}`, { headers });
  if (!response.ok) throw await failure(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** 1536 → "1.5 KB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
