export const authEntities: Function[] = [];
export const authMigrations: Function[] = [];
