export const personalDataEntities: Function[] = [];
export const personalDataMigrations: Function[] = [];
