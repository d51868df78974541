/**
 * Chicago Police Department districts in service (13, 21 and 23 were consolidated away).
 */
export const POLICE_DISTRICTS = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 22, 24, 25,
] as const;

/** Prosecuting offices: Cook County State's Attorney (felonies), city Department of Law (ordinances). */
export const PROSECUTOR_OFFICES = ['CCSAO', 'CITY_LAW'] as const;
export type ProsecutorOffice = (typeof PROSECUTOR_OFFICES)[number];
