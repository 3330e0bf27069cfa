/**
 * Slack modals and messages, rendered from the card templates in cards/ (the one source every surface uses).
 * Only the route chooser and one-line notices are plain Block Kit: they carry no request data.
 */

import type { App } from '../../app.ts';
import type { FormName } from '../../cards/actions.ts';
import { type SlackBlock, type SlackView, toSlackMessage, toSlackModal } from '../../cards/blockkit.ts';
import { renderCard } from '../../cards/render.ts';
import * as view from '../../cards/view.ts';
import type { FieldError } from '../../domain/form.ts';
import type { Route } from '../../domain/profile.ts';
import { type FormContext, formData } from '../compose.ts';

export const callbacks = {
  request: 'stepwise:request',
  chooser: 'stepwise:choose-route',
  notice: 'stepwise:notice',
  formPrefix: 'stepwise:form:',
} as const;

/** Modal titles: at most 24 characters (Slack). */
const formTitles: Record<FormName, string> = {
  decline: 'Decline',
  'request-info': 'Ask for information',
  'advice-only': 'Advice only',
  allocate: 'Allocate',
  resubmit: 'Resubmit',
  withdraw: 'Withdraw',
  dispute: 'Dispute the decision',
  resolve: 'Resolve',
  'meeting-time': 'Meeting time',
  'meeting-outcome': 'Meeting outcome',
};

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A modal that only says something (a result, a refusal): a close button and one section. */
export function noticeModal(title: string, text: string): SlackView {
  return {
    type: 'modal',
    callback_id: callbacks.notice,
    title: plain(clip(title, 24)),
    close: plain('Close'),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } }],
  };
}

/** Several routes start with the same command: the person picks one; the form replaces this view. */
export function chooserModal(routes: readonly Route[], command: string): SlackView {
  return {
    type: 'modal',
    callback_id: callbacks.chooser,
    title: plain(clip(`Start ${command}`, 24)),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'section',
        block_id: 'route',
        text: { type: 'mrkdwn', text: 'Which request is this?' },
        accessory: {
          type: 'static_select',
          action_id: 'choose_route',
          placeholder: plain('Choose a route'),
          options: routes.map((r) => ({
            text: plain(clip(r.name, 75)),
            value: r.id,
            description: plain(clip(r.summary, 75)),
          })),
        },
      },
    ],
  };
}

export interface RequestFormState {
  values?: Record<string, unknown>;
  errors?: FieldError[];
  flags?: { message: string; blocking?: boolean }[];
}

/** Blank forms by route, per directory (a reload makes a new directory, so a new cache): they are the same for everyone. */
const blankForms = new WeakMap<object, Map<string, SlackView>>();

/** The route's request form as a modal; the significant-harm question reacts as soon as it is answered. */
export function requestModal(app: App, route: Route, state: RequestFormState = {}): SlackView {
  const blank = !state.values && !state.errors && !state.flags;
  if (blank) {
    const byRoute = blankForms.get(app.workflow.directory) ?? new Map<string, SlackView>();
    blankForms.set(app.workflow.directory, byRoute);
    const cached = byRoute.get(route.id);
    if (cached) return structuredClone(cached);
    const view = renderRequestModal(app, route, state);
    byRoute.set(route.id, view);
    return structuredClone(view);
  }
  return renderRequestModal(app, route, state);
}

function renderRequestModal(app: App, route: Route, state: RequestFormState): SlackView {
  const data = view.requestFormData(app.profile, route, {
    teams: app.workflow.directory.teams,
    ...(state.values ? { values: state.values } : {}),
    ...(state.errors ? { errors: state.errors } : {}),
    ...(state.flags ? { flags: state.flags } : {}),
  });
  return toSlackModal(renderCard('request-form', data), {
    callbackId: callbacks.request,
    title: clip(`${view.routeKindLabels[route.kind]} request`, 24),
    submit: 'Send',
    close: 'Cancel',
    privateMetadata: JSON.stringify({ action: 'start', routeId: route.id }),
    dispatchActionIds: [data.significantHarm.id],
  });
}

/** The council's emergency phone route, shown instead of any form. */
export function emergencyModal(app: App): SlackView {
  const modal = toSlackModal(renderCard('emergency', view.emergencyData(app.profile)), {
    callbackId: callbacks.notice,
    title: 'Phone now',
    close: 'Close',
  });
  delete modal.submit;
  return modal;
}

export function emergencyMessage(app: App) {
  return toSlackMessage(renderCard('emergency', view.emergencyData(app.profile)));
}

/** A decision form (cards/forms/<name>.json) as a modal; its submit data travels in private_metadata. */
export async function formModal(name: FormName, ctx: FormContext): Promise<SlackView | null> {
  const data = await formData(name, ctx);
  if (!data) return null;
  return toSlackModal(renderCard(`forms/${name}`, data), {
    callbackId: `${callbacks.formPrefix}${name}`,
    // The dispute form is also "Escalate the delay": its own button title names it.
    title:
      'submitTitle' in data && typeof data.submitTitle === 'string' ? data.submitTitle : formTitles[name],
    close: 'Cancel',
  });
}

/** The block ids of a view, to tell which errors Slack can show next to their input. */
export function blockIds(blocks: readonly unknown[]): Set<string> {
  const ids = new Set<string>();
  for (const b of blocks as SlackBlock[]) if (typeof b?.block_id === 'string') ids.add(b.block_id);
  return ids;
}
