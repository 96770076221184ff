import { invalidParam } from './kakaopay-errors.ts';

const INTEGER_STRING = /^\s*-?\d+\s*$/;

/**
 * Reads request parameters the way the sandbox accepts them: integers as JSON numbers or
 * numeric strings (spec §2, §8.2), strings as strings (numbers are tolerated and stringified).
 * Every problem is a -2 error naming the field.
 */
export class ParamReader {
  constructor(private readonly params: Record<string, unknown>) {}

  /** A required non-empty string of at most `max` characters. */
  string(name: string, max = 100): string {
    const value = this.optionalString(name, max);
    if (value === undefined) throw invalidParam(`${name} is required`);
    return value;
  }

  optionalString(name: string, max = 100): string | undefined {
    const raw = this.scalar(name);
    if (raw === undefined || raw === null || raw === '') return undefined;
    if (typeof raw !== 'string' && typeof raw !== 'number') throw invalidParam(`${name} must be a string`);
    const value = String(raw);
    if (value.length > max) throw invalidParam(`${name} is longer than ${max}`);
    return value;
  }

  /** A required integer, optionally with a lower bound. */
  integer(name: string, min?: number): number {
    const value = this.optionalInteger(name, min);
    if (value === undefined) throw invalidParam(`${name} is required`);
    return value;
  }

  optionalInteger(name: string, min?: number, max?: number): number | undefined {
    const raw = this.scalar(name);
    if (raw === undefined || raw === null || raw === '') return undefined;
    let value: number;
    if (typeof raw === 'number') value = raw;
    else if (typeof raw === 'string' && INTEGER_STRING.test(raw)) value = Number(raw);
    else throw invalidParam(`${name} must be an integer`);
    if (!Number.isSafeInteger(value)) throw invalidParam(`${name} must be an integer`);
    if (min !== undefined && value < min) throw invalidParam(`${name} must be >= ${min}`);
    if (max !== undefined && value > max) throw invalidParam(`${name} must be <= ${max}`);
    return value;
  }

  /** A JSON array of strings, given as an array or (legacy form) a JSON string or a repeated field. */
  optionalStringArray(name: string): string[] | undefined {
    let raw = this.params[name];
    if (raw === undefined || raw === null || raw === '') return undefined;
    if (typeof raw === 'string') {
      const trimmed = raw.trim();
      if (trimmed.startsWith('[')) raw = parseJson(name, trimmed);
      else raw = trimmed.split(',').map((s) => s.trim());
    }
    if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string')) {
      throw invalidParam(`${name} must be an array of strings`);
    }
    return raw as string[];
  }

  /** A string→string map, given as an object or (legacy form) a JSON string. */
  optionalStringMap(name: string): Record<string, string> | undefined {
    let raw = this.params[name];
    if (raw === undefined || raw === null || raw === '') return undefined;
    if (typeof raw === 'string') raw = parseJson(name, raw);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw invalidParam(`${name} must be an object`);
    }
    return raw as Record<string, string>;
  }

  /** One of the given literal values. */
  optionalEnum<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      throw invalidParam(`${name} must be one of ${values.join(', ')}`);
    }
    return value as T;
  }

  private scalar(name: string): unknown {
    const raw = this.params[name];
    if (Array.isArray(raw)) throw invalidParam(`${name} is given more than once`);
    return raw;
  }
}

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidParam(`${name} is not valid JSON`);
  }
}
