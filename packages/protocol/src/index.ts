export * from './admin';
export * from './agent';
export * from './auth';
export * from './errors';
export * from './kiosk';
export * from './messages';
export * from './primitives';
export * from './visits';
