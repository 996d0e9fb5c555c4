// Paths and names of a GitOps repository as the spec may give them: checked before any git runs.

/** A file of the repository: relative, `/`-separated, no empty, `.` or `..` segments, no line breaks or NUL. */
export function isRepositoryPath(path: string): boolean {
  if (path === '' || path.startsWith('/') || /[\n\r\0\\]/.test(path)) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** Why git would refuse this branch name (git check-ref-format's rules that the schema's pattern leaves open), or undefined. */
export function branchNameProblem(branch: string): string | undefined {
  if (branch.includes('..')) return 'contains `..`';
  if (branch.endsWith('/') || branch.endsWith('.') || branch.endsWith('.lock')) return 'ends with `/`, `.` or `.lock`';
  if (branch.includes('//') || branch.split('/').some((part) => part.startsWith('.'))) return 'has an empty part or a part starting with `.`';
  return undefined;
}
