import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { findingDecider, liaisonMayAct } from '@app/domain';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser, Operates, Reads } from '../auth/decorators.js';
import { ApplicationError } from '../application/errors.js';
import { CommandRunner } from '../cases/application/command-runner.js';
import { ProblemException } from '../http/problem.js';
import { CitationIndex } from './evidence-citations.js';
import { EVIDENCE_MAX_BYTES, EvidenceStore, isSha256, tooLarge } from './evidence-store.js';

/** The name a file was uploaded under, as one safe line: no path, no control characters, at most 200 characters. */
export function uploadName(filename: string | undefined): string {
  const base = (filename ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  return (clean || 'evidence').normalize('NFC').slice(0, 200);
}

/** RFC 6266 / 5987: an ASCII fallback and the UTF-8 name. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const SHA256_PARAM = (value: string) => {
  if (!isSha256(value)) {
    throw new ProblemException(400, 'VALIDATION_FAILED', 'sha256 must be 64 lower-case hex digits', [
      { field: 'sha256', rule: 'isSha256', message: 'sha256 must be 64 lower-case hex digits' },
    ]);
  }
  return value;
};

/** 佐证材料: upload (multipart, one `file`) and download by hash (docs/api.md "Evidence files"). */
@Controller('evidence')
export class EvidenceController {
  constructor(
    private readonly files: EvidenceStore,
    private readonly index: CitationIndex,
    private readonly runner: CommandRunner,
  ) {}

  @Post()
  @HttpCode(201)
  @Operates('UploadEvidence')
  async upload(@Req() request: FastifyRequest) {
    if (!request.isMultipart()) {
      throw new ApplicationError('EVIDENCE_FILE_REQUIRED', 'Send the file as multipart/form-data, field "file"', [
        { field: 'file', rule: 'multipart', message: 'multipart/form-data with one file' },
      ]);
    }
    let part: MultipartFile | undefined;
    try {
      part = await request.file({ limits: { fileSize: EVIDENCE_MAX_BYTES, files: 1, fields: 0, parts: 1 } });
    } catch (error) {
      throw this.multipartError(error);
    }
    if (!part || part.fieldname !== 'file') {
      part?.file.resume();
      throw new ApplicationError('EVIDENCE_FILE_REQUIRED', 'The request has no file in the field "file"', [
        { field: 'file', rule: 'required', message: 'one file in the field "file"' },
      ]);
    }
    const name = uploadName(part.filename);
    try {
      const stored = await this.files.save(part.file);
      return { sha256: stored.sha256, name, size: stored.size, mediaType: stored.mediaType };
    } catch (error) {
      throw this.multipartError(error);
    }
  }

  private multipartError(error: unknown): unknown {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') {
      return code === 'FST_REQ_FILE_TOO_LARGE'
        ? tooLarge()
        : new ApplicationError('EVIDENCE_FILE_REQUIRED', 'Send one file a request', [
            { field: 'file', rule: 'maxFiles', message: 'one file a request' },
          ]);
    }
    return error;
  }

  @Get(':sha256')
  @Reads('GetEvidence')
  async download(
    @Param('sha256') sha: string,
    @CurrentUser() user: AuthUser,
    @Res({ passthrough: false }) reply: FastifyReply,
  ) {
    const sha256 = SHA256_PARAM(sha);
    const { streams, name } = await this.index.citing(sha256);
    if (!(await this.mayRead(streams, user))) throw new ApplicationError('EVIDENCE_NOT_FOUND', 'No such evidence file');
    const stored = await this.files.describe(sha256);
    if (!stored) throw new ApplicationError('EVIDENCE_NOT_FOUND', 'The evidence file is not in the store');
    return reply
      .header('content-type', stored.mediaType)
      .header('content-length', String(stored.size))
      .header('content-disposition', contentDisposition(name ?? sha256))
      .header('x-content-type-options', 'nosniff')
      .send(this.files.open(sha256));
  }

  /**
   * Who may read a case citing the file: every case reader but a liaison, who reads only their own
   * unit's findings. A file no case cites yet is the office's alone (it may be cited next).
   */
  private async mayRead(streams: string[], user: AuthUser): Promise<boolean> {
    if (streams.length === 0) return user.role === 'official';
    if (user.role !== 'unit_liaison') return true;
    for (const stream of streams) {
      const { state } = await this.runner.load(findingDecider, stream);
      if (liaisonMayAct(state, user.departmentId)) return true;
    }
    return false;
  }
}
