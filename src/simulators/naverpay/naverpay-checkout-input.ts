/**
 * Reading and validating merchant input: one-time checkout parameters (SDK `open()` and
 * `v2/reserve`, spec §3.1/§3.3) and recurrent registration parameters (§3.8). Values may arrive
 * as JSON numbers or as strings (forms, SDK form post).
 */
import type { CheckoutParams, RegistrationParams } from './naverpay-store.ts';

export type Fields = Record<string, unknown>;

export type InputResult<T> = { ok: true; value: T } | { ok: false; code: 'RequireParameter' | 'InvalidParameter'; message: string };

export function readString(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Non-negative integer KRW from a number or a digit string; `null` when present but malformed. */
export function readAmount(fields: Fields, name: string): number | undefined | null {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return null;
}

export function readBoolean(fields: Fields, name: string): boolean {
  const value = fields[name];
  return value === true || value === 'true' || value === '1' || value === 1;
}

function missing<T>(name: string): InputResult<T> {
  return { ok: false, code: 'RequireParameter', message: `필수 파라미터가 누락되었습니다: ${name}` };
}

function invalid<T>(message: string): InputResult<T> {
  return { ok: false, code: 'InvalidParameter', message };
}

function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const PRODUCT_ITEM_REQUIRED = ['categoryType', 'categoryId', 'uid', 'name', 'count'] as const;

function readProductItems(fields: Fields): unknown[] | undefined | null {
  let value = fields.productItems;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(value) || value.length === 0) return null;
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return null;
    for (const key of PRODUCT_ITEM_REQUIRED) {
      const v = (item as Record<string, unknown>)[key];
      if (v === undefined || v === null || v === '') return null;
    }
  }
  return value;
}

export function parseCheckoutParams(fields: Fields, requireProductItems: boolean): InputResult<CheckoutParams> {
  const merchantPayKey = readString(fields, 'merchantPayKey');
  if (!merchantPayKey) return missing('merchantPayKey');
  const productName = readString(fields, 'productName');
  if (!productName) return missing('productName');
  const returnUrl = readString(fields, 'returnUrl');
  if (!returnUrl) return missing('returnUrl');
  if (!isAbsoluteHttpUrl(returnUrl)) return invalid('returnUrl must be an absolute http(s) URL');

  const amounts = {} as Record<'totalPayAmount' | 'taxScopeAmount' | 'taxExScopeAmount', number>;
  for (const name of ['totalPayAmount', 'taxScopeAmount', 'taxExScopeAmount'] as const) {
    const amount = readAmount(fields, name);
    if (amount === undefined) return missing(name);
    if (amount === null) return invalid(`${name} must be a non-negative integer`);
    amounts[name] = amount;
  }
  const environmentDepositAmount = readAmount(fields, 'environmentDepositAmount');
  if (environmentDepositAmount === null) return invalid('environmentDepositAmount must be a non-negative integer');
  const deposit = environmentDepositAmount ?? 0;
  if (amounts.totalPayAmount <= 0) return invalid('totalPayAmount must be positive');
  if (amounts.taxScopeAmount + amounts.taxExScopeAmount + deposit !== amounts.totalPayAmount) {
    return invalid('taxScopeAmount + taxExScopeAmount + environmentDepositAmount must equal totalPayAmount');
  }

  const productCount = readAmount(fields, 'productCount');
  if (productCount === null || productCount === 0) return invalid('productCount must be a positive integer');
  const productItems = readProductItems(fields);
  if (productItems === null) {
    return invalid('productItems must be a non-empty array of {categoryType, categoryId, uid, name, count}');
  }
  if (requireProductItems) {
    if (productCount === undefined) return missing('productCount');
    if (productItems === undefined) return missing('productItems');
  }
  if (productName.length > 128) return invalid('productName must be at most 128 characters');

  return {
    ok: true,
    value: {
      merchantPayKey,
      merchantUserKey: readString(fields, 'merchantUserKey') ?? '',
      productName,
      productCount,
      totalPayAmount: amounts.totalPayAmount,
      taxScopeAmount: amounts.taxScopeAmount,
      taxExScopeAmount: amounts.taxExScopeAmount,
      environmentDepositAmount: deposit,
      returnUrl,
      productItems,
      merchantPayTransactionKey: readString(fields, 'merchantPayTransactionKey'),
      merchantExtraParameter: readString(fields, 'merchantExtraParameter'),
      purchaserName: readString(fields, 'purchaserName'),
      purchaserBirthday: readString(fields, 'purchaserBirthday'),
      useCfmYmdt: readString(fields, 'useCfmYmdt'),
      extraDeduction: readBoolean(fields, 'extraDeduction'),
    },
  };
}

export function parseRegistrationParams(fields: Fields): InputResult<RegistrationParams> {
  const actionType = readString(fields, 'actionType') ?? 'NEW';
  if (actionType !== 'NEW' && actionType !== 'CHANGE') return invalid('actionType must be NEW or CHANGE');
  const targetRecurrentId = readString(fields, 'targetRecurrentId');
  if (actionType === 'CHANGE' && !targetRecurrentId) return missing('targetRecurrentId');
  const productCode = readString(fields, 'productCode');
  if (!productCode) return missing('productCode');
  const productName = readString(fields, 'productName');
  if (!productName) return missing('productName');
  const totalPayAmount = readAmount(fields, 'totalPayAmount');
  if (totalPayAmount === undefined) return missing('totalPayAmount');
  if (totalPayAmount === null) return invalid('totalPayAmount must be a non-negative integer');
  const returnUrl = readString(fields, 'returnUrl');
  if (!returnUrl) return missing('returnUrl');
  if (!isAbsoluteHttpUrl(returnUrl)) return invalid('returnUrl must be an absolute http(s) URL');
  return {
    ok: true,
    value: {
      actionType,
      targetRecurrentId: actionType === 'CHANGE' ? targetRecurrentId : undefined,
      productCode,
      productName,
      totalPayAmount,
      returnUrl,
      merchantUserKey: readString(fields, 'merchantUserKey') ?? readString(fields, 'merchantUserId'),
    },
  };
}
