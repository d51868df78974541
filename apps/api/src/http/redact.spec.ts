import { createHash } from 'node:crypto';
import { redactUrl } from './redact';

const ticket = 'iontk_' + 'A'.repeat(20) + '-_' + 'b'.repeat(21);
const ref = `redacted:${createHash('sha256').update(ticket).digest('hex').slice(0, 12)}`;

describe('redactUrl: no ticket in a logged or audited URL', () => {
  it('replaces the segment after /tickets/ with the first digits of its SHA-256', () => {
    expect(redactUrl(`/api/v1/tickets/${ticket}`)).toBe(`/api/v1/tickets/${ref}`);
    expect(redactUrl(`/api/v1/tickets/${ticket}/more?x=1`)).toBe(`/api/v1/tickets/${ref}/more?x=1`);
    expect(redactUrl(`//api/v1//tickets//${ticket}`)).toBe(`//api/v1//tickets//${ref}`);
    expect(redactUrl(`/API/V1/TICKETS/${ticket}`)).toBe(`/API/V1/TICKETS/${ref}`);
  });

  it('replaces anything shaped like a ticket elsewhere (a query string, another path)', () => {
    expect(redactUrl(`/api/v1/evidence/x/content?ticket=${ticket}&a=b`)).toBe(
      `/api/v1/evidence/x/content?ticket=${ref}&a=b`,
    );
    expect(redactUrl(`/elsewhere/${ticket}`)).toBe(`/elsewhere/${ref}`);
  });

  it('leaves other URLs alone, including the routes that issue tickets', () => {
    for (const u of ['/api/v1/evidence/1/tickets', '/api/v1/packets/1/archive/tickets', '/api/v1/cases?q=tickets', '/'])
      expect(redactUrl(u)).toBe(u);
  });
});
