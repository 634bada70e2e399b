export * from './api-error';
export * from './Field';
export * from './i18n';
export * from './translate';
