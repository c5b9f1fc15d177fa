/** Pure layout functions for the inspection views: data in, positioned shapes and table rows out. */
export * from './sankey';
export * from './prefix';
export * from './docids';
export * from './tokens';
