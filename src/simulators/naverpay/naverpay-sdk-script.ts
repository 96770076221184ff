/**
 * Stand-in for `https://nsp.pay.naver.com/sdk/js/naverpay.min.js` (spec §3.1, §6.5) and the
 * `POST /payments/sdk-open` endpoint it submits to. `Naver.Pay.create(options).open(params)` posts
 * options and params as a hidden form to the sandbox, which validates them like the real window
 * would, creates the reservation and redirects to the hosted page.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  parseCheckoutParams,
  parseRegistrationParams,
  readString,
  type Fields,
} from './naverpay-checkout-input.ts';
import { createCheckoutReserve } from './naverpay-payment-operations.ts';
import { createRegistrationReserve } from './naverpay-recurrent-operations.ts';
import type { SandboxState } from './naverpay-sandbox-state.ts';
import { escapeHtml, renderLayout } from './naverpay-hosted-pages.ts';
import type { OpenType, Reserve } from './naverpay-store.ts';

export const SDK_SCRIPT_PATH = '/sdk/js/naverpay.min.js';

/** Browser code of the SDK stand-in. It finds the sandbox from its own `<script src>`. */
export const SDK_SCRIPT = `/* NaverPay sandbox SDK stand-in: Naver.Pay.create(options).open(params) */
(function () {
  'use strict';
  var current = document.currentScript ||
    (document.querySelector ? document.querySelector('script[src*="/sdk/js/naverpay"]') : null);
  var src = current && current.src ? current.src : window.location.href;
  var base = src.replace(/\\/sdk\\/js\\/[^/?#]*([?#].*)?$/, '');
  if (base === src) base = new URL(src).origin;
  var sandboxOrigin = new URL(base).origin;
  var POPUP_NAME = 'naverpay_sandbox_popup';

  function fieldValue(value) {
    if (value === undefined || value === null || typeof value === 'function') return null;
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  function submitForm(action, fields, target) {
    var form = document.createElement('form');
    form.setAttribute('method', 'post');
    form.setAttribute('action', action);
    form.setAttribute('target', target);
    form.setAttribute('accept-charset', 'UTF-8');
    form.style.display = 'none';
    Object.keys(fields).forEach(function (name) {
      var value = fieldValue(fields[name]);
      if (value === null) return;
      var input = document.createElement('input');
      input.setAttribute('type', 'hidden');
      input.setAttribute('name', name);
      input.setAttribute('value', value);
      form.appendChild(input);
    });
    document.body.appendChild(form);
    HTMLFormElement.prototype.submit.call(form);
  }

  function create(options) {
    options = options || {};
    var payType = options.payType === 'recurrent' ? 'recurrent' : 'normal';
    var openType = options.openType || 'page';
    var popupMode = openType === 'popup' || openType === 'layer';
    var popup = null;
    var listening = false;

    function listen() {
      if (listening) return;
      listening = true;
      window.addEventListener('message', function (event) {
        if (event.origin !== sandboxOrigin) return;
        var message = event.data;
        if (!message || message.type !== 'naverpay-sandbox:authorize') return;
        if (typeof options.onAuthorize === 'function') options.onAuthorize(message.data);
        else if (message.data && message.data.returnUrl) window.location.href = message.data.returnUrl;
      });
    }

    function pageUrl(reserveId) {
      return base + (payType === 'recurrent' ? '/payments/recurrent/' : '/payments/') + encodeURIComponent(reserveId);
    }

    return {
      open: function (params) {
        var target = '_top';
        if (popupMode) {
          popup = window.open('about:blank', POPUP_NAME, 'width=480,height=760');
          target = POPUP_NAME;
          listen();
        }
        if (typeof params === 'string') {
          if (popupMode && popup) popup.location.href = pageUrl(params);
          else window.top.location.href = pageUrl(params);
          return;
        }
        var fields = {};
        Object.keys(params || {}).forEach(function (key) { fields[key] = params[key]; });
        fields.clientId = options.clientId;
        fields.chainId = options.chainId;
        fields.mode = options.mode;
        fields.payType = payType;
        fields.openType = popupMode ? 'popup' : 'page';
        submitForm(base + '/payments/sdk-open', fields, target);
      },
      close: function () {
        if (popup && !popup.closed) popup.close();
        popup = null;
      }
    };
  }

  window.Naver = window.Naver || {};
  window.Naver.Pay = window.Naver.Pay || {};
  window.Naver.Pay.create = create;
})();
`;

export type SdkOpenResult = { ok: true; reserve: Reserve } | { ok: false; message: string };

/**
 * Validates SDK create options + open params (as form strings or JSON values) and creates the
 * reservation. The reservation has no partnerId (the browser never sends one).
 */
export function openFromSdk(state: SandboxState, fields: Fields, openType: OpenType): SdkOpenResult {
  const options = state.options;
  const clientId = readString(fields, 'clientId');
  if (!clientId) return { ok: false, message: 'clientId가 없습니다.' };
  if (clientId !== options.clientId) return { ok: false, message: '유효하지 않은 clientId입니다.' };
  const chainId = readString(fields, 'chainId');
  if (!chainId && options.requireChainId) return { ok: false, message: 'chainId가 없습니다.' };
  if (chainId && !options.chainIds.has(chainId)) return { ok: false, message: '유효하지 않은 chainId입니다.' };
  const mode = readString(fields, 'mode');
  if (mode && mode !== 'development' && mode !== 'production') {
    return { ok: false, message: 'mode는 development 또는 production이어야 합니다.' };
  }
  const payType = readString(fields, 'payType') ?? 'normal';
  if (payType === 'recurrent') {
    const parsed = parseRegistrationParams(fields);
    if (!parsed.ok) return { ok: false, message: parsed.message };
    const target = parsed.value.targetRecurrentId;
    if (target && state.store.registrations.get(target)?.state !== 'VALID') {
      return { ok: false, message: '변경 대상 정기결제(targetRecurrentId)가 유효하지 않습니다.' };
    }
    return { ok: true, reserve: createRegistrationReserve(state, null, parsed.value, 'sdk', openType) };
  }
  if (payType !== 'normal') return { ok: false, message: 'payType은 normal 또는 recurrent여야 합니다.' };
  const parsed = parseCheckoutParams(fields, options.requireProductItems);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  return { ok: true, reserve: createCheckoutReserve(state, null, parsed.value, 'sdk', openType) };
}

export function hostedPagePath(reserve: Reserve): string {
  return `${reserve.kind === 'recurrent' ? '/payments/recurrent/' : '/payments/'}${encodeURIComponent(reserve.reserveId)}`;
}

function sendError(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(400)
    .header('content-type', 'text/html; charset=utf-8')
    .send(
      renderLayout(
        '결제를 진행할 수 없습니다',
        `<h1>결제를 진행할 수 없습니다</h1><p class="note error" id="error-message">${escapeHtml(message)}</p>
<p class="note">가맹점의 결제 요청 정보가 올바르지 않습니다. (샌드박스 검증 오류)</p>`,
      ),
    );
}

export function registerSdkRoutes(app: FastifyInstance, state: SandboxState): void {
  app.get(SDK_SCRIPT_PATH, async (_request, reply) =>
    reply
      .header('content-type', 'application/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('access-control-allow-origin', '*')
      .send(SDK_SCRIPT),
  );

  app.post('/payments/sdk-open', async (request, reply) => {
    const body = request.body;
    const fields: Fields = typeof body === 'object' && body !== null ? (body as Fields) : {};
    const openType: OpenType = readString(fields, 'openType') === 'popup' ? 'popup' : 'page';
    const result = openFromSdk(state, fields, openType);
    if (!result.ok) return sendError(reply, result.message);
    state.store.stats.increment('sdk_open');
    return reply.code(302).header('location', `${state.baseUrl(request)}${hostedPagePath(result.reserve)}`).send();
  });
}
