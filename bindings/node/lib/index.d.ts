// Types of the package entry: everything the generated ../index.d.ts declares (the addon's
// classes and functions, and the shapes of their results), plus the DharmaError class.
import type { ErrorKind, Finding, Location } from '../index'

export * from '../index'

/**
 * What every function of the package throws (and every async variant rejects with): a real
 * `Error` whose `message` says what and where, with the engine's `kind` (which stage failed),
 * the first finding's `code`, `path`, `location` and `suggestion`, and all `findings`.
 */
export declare class DharmaError extends Error {
  constructor(
    message: string,
    data?: {
      kind?: ErrorKind
      code?: string
      path?: string
      location?: Location | null
      suggestion?: string | null
      findings?: Finding[]
    },
  )
  name: 'DharmaError'
  /** Which stage failed. */
  kind: ErrorKind
  /** The first finding's stable code (`unknown_reference`, `yaml_syntax`, ...). */
  code: string
  /** The first finding's path (`resources[1].properties.vpc_id`, `options.budget`); empty for the whole input. */
  path: string
  /** The first finding's line and column in the source text (syntax errors), or null. */
  location: Location | null
  /** The first finding's "did you mean", or null. */
  suggestion: string | null
  /** Every finding (errors and warnings), in order. */
  findings: Finding[]
  /** The error as plain data, e.g. for an HTTP response body. */
  toJSON(): {
    name: 'DharmaError'
    kind: ErrorKind
    code: string
    message: string
    path: string
    location: Location | null
    suggestion: string | null
    findings: Finding[]
  }
}
