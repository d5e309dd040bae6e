export * from './checkins.js';
export * from './delivery.js';
export * from './instances.js';
export * from './referrals.js';
export * from './roster.js';
export * from './sms.js';
export * from './tasks.js';
export * from './teams.js';
