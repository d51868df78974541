import type { ReactElement } from 'react';
import type { Role } from './session';
import { AuditCaseScreen } from './screens/auditor/AuditCaseScreen';
import { AuditScreen } from './screens/auditor/AuditScreen';
import { UsersScreen } from './screens/admin/UsersScreen';
import { ChangePasswordScreen } from './screens/account/ChangePasswordScreen';
import { HomeScreen } from './screens/common/HomeScreen';
import { CaseListScreen } from './screens/officer/CaseListScreen';
import { CaseScreen } from './screens/officer/CaseScreen';
import { NewCaseScreen } from './screens/officer/NewCaseScreen';
import { PersonnelIndexScreen } from './screens/personnel/PersonnelIndexScreen';
import { PersonnelScreen } from './screens/personnel/PersonnelScreen';
import { PacketScreen } from './screens/prosecutor/PacketScreen';
import { QueueScreen } from './screens/prosecutor/QueueScreen';

export interface RouteDef {
  path: string;
  /** Who may open this screen. Everyone else gets "not available to your role", and the screen never loads. */
  roles: readonly Role[];
  /** The navigation entry, per role that has it. */
  nav?: Partial<Record<Role, string>>;
  render: (params: Record<string, string>) => ReactElement;
}

/**
 * Every screen and who may open it. Navigation is built from this table, and so is the refusal:
 * a screen is never rendered (nor its data requested) for a role not listed, whatever the URL.
 * The service refuses the same requests on its side; this only keeps people out of dead ends.
 */
export const ROUTES: readonly RouteDef[] = [
  // Issue 16: every role lands on what needs them now (GET /me/attention).
  {
    path: '/home',
    roles: ['OFFICER', 'SUPERVISOR', 'PROSECUTOR', 'AUDITOR', 'ADMIN'],
    nav: { OFFICER: 'Home', SUPERVISOR: 'Home', PROSECUTOR: 'Home', AUDITOR: 'Home', ADMIN: 'Home' },
    render: () => <HomeScreen />,
  },
  {
    path: '/cases',
    roles: ['OFFICER', 'SUPERVISOR'],
    nav: { OFFICER: 'My cases', SUPERVISOR: 'District cases' },
    render: () => <CaseListScreen />,
  },
  {
    path: '/cases/new',
    roles: ['OFFICER', 'SUPERVISOR'],
    nav: { OFFICER: 'New case', SUPERVISOR: 'New case' },
    render: () => <NewCaseScreen />,
  },
  { path: '/cases/:id', roles: ['OFFICER', 'SUPERVISOR'], render: (p) => <CaseScreen id={p.id} /> },
  { path: '/review-queue', roles: ['PROSECUTOR'], nav: { PROSECUTOR: 'Review queue' }, render: () => <QueueScreen /> },
  { path: '/packets/:id', roles: ['PROSECUTOR'], render: (p) => <PacketScreen id={p.id} /> },
  { path: '/audit', roles: ['AUDITOR'], nav: { AUDITOR: 'Audit log' }, render: () => <AuditScreen /> },
  { path: '/audit/cases/:id', roles: ['AUDITOR'], render: (p) => <AuditCaseScreen id={p.id} /> },
  {
    path: '/federal-personnel',
    roles: ['SUPERVISOR', 'PROSECUTOR', 'AUDITOR'],
    nav: { SUPERVISOR: 'Federal personnel', PROSECUTOR: 'Federal personnel', AUDITOR: 'Federal personnel' },
    render: () => <PersonnelIndexScreen />,
  },
  {
    path: '/federal-personnel/:id',
    roles: ['SUPERVISOR', 'PROSECUTOR', 'AUDITOR'],
    render: (p) => <PersonnelScreen id={p.id} />,
  },
  { path: '/admin/users', roles: ['ADMIN'], nav: { ADMIN: 'Users' }, render: () => <UsersScreen /> },
  {
    path: '/account/password',
    roles: ['OFFICER', 'SUPERVISOR', 'PROSECUTOR', 'AUDITOR', 'ADMIN'],
    render: () => <ChangePasswordScreen />,
  },
];

// In a file of its own so that a screen can name it without importing the route table (which imports every screen).
export { HOME } from './home';
