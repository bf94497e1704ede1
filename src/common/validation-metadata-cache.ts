import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type ValidationMetadata = ReturnType<Storage['getTargetValidationMetadatas']>[number];
type Grouped = ReturnType<Storage['groupByPropertyName']>;
type Target = Parameters<Storage['getTargetValidationMetadatas']>[0];

/**
 * class-validator looks up a DTO's rules anew on every validation: it filters its rules and
 * tests the DTO against every class that has any, for inherited ones (about a third of the
 * ValidationPipe's time on a PUT in bench:api's profile). The rules are the decorators',
 * registered as the classes load, so the answer is kept per class and options, and forgotten
 * whenever a rule is added. The same rules run, in the same order, with the same messages.
 */
export function cacheValidationMetadata(storage: Storage = getMetadataStorage()): void {
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  const found = new Map<Target, Map<string, ValidationMetadata[]>>();
  let grouped = new WeakMap<ValidationMetadata[], Grouped>();
  storage.addValidationMetadata = (metadata) => {
    found.clear();
    grouped = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (groups !== undefined && groups.length > 0) {
      return lookUp(target, schema, always, strictGroups, groups);
    }
    const options = `${schema}\0${always}\0${strictGroups}`;
    const forTarget = found.get(target) ?? new Map<string, ValidationMetadata[]>();
    found.set(target, forTarget);
    let metadatas = forTarget.get(options);
    if (metadatas === undefined) {
      metadatas = lookUp(target, schema, always, strictGroups, groups);
      forTarget.set(options, metadatas);
      grouped.set(metadatas, group(metadatas));
    }
    return metadatas;
  };
  storage.groupByPropertyName = (metadatas) => grouped.get(metadatas) ?? group(metadatas);
}
