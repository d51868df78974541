import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { authConfig } from './auth.config';
import { CreateUserDto } from './dto/user.dto';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/**
 * Embedded mode only (no DATABASE_URL): one demo user per role, plus a second officer and
 * supervisor in another district and a prosecutor of the other office, so scoping can be tried.
 * Fixed, documented credentials: never use embedded mode for real records.
 */
export const DEMO_USERS: (CreateUserDto & { password: string })[] = [
  {
    username: 'officer',
    password: 'officer-demo-2026',
    displayName: 'Officer Dana Reyes',
    role: 'OFFICER',
    district: 1,
    badgeNumber: 'D1-1001',
  },
  {
    username: 'officer2',
    password: 'officer2-demo-2026',
    displayName: 'Officer Sam Okafor',
    role: 'OFFICER',
    district: 12,
    badgeNumber: 'D12-1201',
  },
  {
    username: 'supervisor',
    password: 'supervisor-demo-2026',
    displayName: 'Sgt. Maria Lopez',
    role: 'SUPERVISOR',
    district: 1,
    badgeNumber: 'D1-9001',
  },
  {
    username: 'supervisor2',
    password: 'supervisor2-demo-2026',
    displayName: 'Sgt. Chris Novak',
    role: 'SUPERVISOR',
    district: 12,
    badgeNumber: 'D12-9201',
  },
  {
    username: 'prosecutor',
    password: 'prosecutor-demo-2026',
    displayName: 'ASA Priya Shah',
    role: 'PROSECUTOR',
    office: 'CCSAO',
  },
  {
    username: 'prosecutor2',
    password: 'prosecutor2-demo-2026',
    displayName: 'ACC Tom Byrne',
    role: 'PROSECUTOR',
    office: 'CITY_LAW',
  },
  { username: 'auditor', password: 'auditor-demo-2026', displayName: 'Auditor Lee Park', role: 'AUDITOR' },
  { username: 'admin', password: 'admin-demo-2026', displayName: 'Admin Robin Hale', role: 'ADMIN' },
];

@Injectable()
export class DemoUsersSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoUsers');
  /** Filled at bootstrap when demo users are in use; main.ts prints them once listening. */
  credentials: { username: string; password: string; role: string; scope: string }[] = [];

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly users: UsersService,
    private readonly repo: UsersRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seedDemoUsers) return;
    for (const u of DEMO_USERS) {
      if (!(await this.repo.findByUsername(u.username))) {
        await this.users.create('SYSTEM', u, 'demo-seed');
        this.logger.log(`Seeded demo user ${u.username}`);
      }
      this.credentials.push({
        username: u.username,
        password: u.password,
        role: u.role,
        scope: u.district ? `district ${u.district}` : (u.office ?? '-'),
      });
    }
  }
}
