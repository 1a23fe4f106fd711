import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as domain from './index.js';

describe('@app/domain public surface', () => {
  it('exports one decider per aggregate', () => {
    for (const decider of [
      domain.inspectionRoundDecider,
      domain.findingDecider,
      domain.leadDecider,
      domain.departmentDecider,
    ]) {
      expect(typeof decider.decide).toBe('function');
      expect(decider.initialState()).toEqual({ status: 'absent' });
    }
  });

  it('builds and parses stream ids', () => {
    expect([
      domain.roundStream('a'),
      domain.findingStream('b'),
      domain.leadStream('c'),
      domain.departmentStream('d'),
    ]).toEqual(['round-a', 'finding-b', 'lead-c', 'department-d']);
    expect(domain.parseStreamId('finding-2f9c-41')).toEqual({ category: 'finding', id: '2f9c-41' });
    expect(domain.parseStreamId('user-1')).toBeUndefined();
    expect(domain.parseStreamId('finding-')).toBeUndefined();
  });

  it('gives every error code a fixed kind', () => {
    const error = new domain.DomainError('FINDING_NOT_PENDING_VERIFICATION', 'nothing to verify');
    expect(error).toMatchObject({ name: 'DomainError', code: 'FINDING_NOT_PENDING_VERIFICATION', kind: 'conflict' });
    expect(domain.isDomainError(error)).toBe(true);
    expect(new domain.DomainError('FINDING_NOT_FOUND', 'x').kind).toBe('not_found');
    expect(new domain.DomainError('REASON_REQUIRED', 'x', 'reason')).toMatchObject({
      kind: 'invalid',
      field: 'reason',
    });
    expect(domain.DOMAIN_ERROR_CODE_LIST).toContain('LEAD_NOT_TRIAGED_FOR_TRANSFER');
  });

  it('labels every event and command type in Chinese', () => {
    expect(domain.EVENT_TYPE_LABELS.FindingRecorded).toBe('登记问题');
    expect(domain.EVENT_TYPE_LABELS.HandoverImported).toBe('导入移交数据');
    expect(domain.DOMAIN_EVENT_TYPES).toHaveLength(36);
    expect(domain.COMMAND_TYPES).toHaveLength(32);
    expect(domain.RECTIFICATION_TYPE_LABELS).toEqual({
      immediate: '立行立改',
      deadline: '限期整改',
      long_term: '长期整改',
    });
    expect(domain.LEAD_DISPOSITION_LABELS.concluded).toBe('予以了结');
  });
});

describe('who may do what', () => {
  it.each(domain.COMMAND_TYPES)('names at least one role for %s', (type) => {
    expect(domain.mayDo[type].length).toBeGreaterThan(0);
  });

  it('lets inspectors record findings and leads, but not assign or verify', () => {
    expect(domain.roleMayDo('inspector', 'RecordFinding')).toBe(true);
    expect(domain.roleMayDo('inspector', 'RecordLead')).toBe(true);
    expect(domain.roleMayDo('inspector', 'AssignRectification')).toBe(false);
    expect(domain.roleMayDo('inspector', 'VerifyRectification')).toBe(false);
  });

  it('lets unit liaisons work on rectification but not verify it', () => {
    for (const type of [
      'AcknowledgeRectification',
      'SubmitRectificationPlan',
      'ReportProgress',
      'RequestClosure',
    ] as const) {
      expect(domain.roleMayDo('unit_liaison', type)).toBe(true);
    }
    expect(domain.roleMayDo('unit_liaison', 'VerifyRectification')).toBe(false);
  });

  it('gives auditors no command, and admins only departments', () => {
    const allowed = (role: domain.Role) => domain.COMMAND_TYPES.filter((type) => domain.roleMayDo(role, type));
    expect(allowed('auditor')).toEqual([]);
    expect(allowed('admin')).toEqual(['RegisterDepartment', 'RenameDepartment']);
  });
});

describe('purity of the domain', () => {
  const root = dirname(fileURLToPath(import.meta.url));
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? sources(join(dir, entry.name))
        : entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')
          ? [join(dir, entry.name)]
          : [],
    );

  it.each(sources(root).map((file) => [file.slice(root.length + 1), file]))(
    '%s reads no clock, randomness or framework',
    (_, file) => {
      const code = readFileSync(file, 'utf8');
      expect(code).not.toMatch(/from ['"](@nestjs\/|typeorm|pg['"]|node:)/);
      expect(code).not.toMatch(/new Date\(|Date\.now\(|Math\.random\(|randomUUID/);
    },
  );
});
