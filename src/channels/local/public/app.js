// The local workspace page: plain browser JavaScript (no build step), so the server serves it as it is.
// Cards and forms are Adaptive Cards from the server, rendered here by the adaptivecards package; every
// button press goes back to the server, which runs it through the same workflow as Slack and Teams.

const $ = (id) => document.getElementById(id);
const state = { session: null, person: localStorage.getItem('stepwise.person') || '', conversation: '' };

function escapeHtml(s) {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

// The server's texts use Slack's light markup (*bold*, `code`): shown the same way here.
function markup(text) {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*([^*\n]+)\*/g, '<strong>$1</strong>');
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { 'content-type': 'application/json', 'x-stepwise-person': state.person },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({ error: `The server answered ${res.status}.` }));
  if (!res.ok) throw new Error(json.error || `The server answered ${res.status}.`);
  return json;
}

function toast(text, bad) {
  const t = $('toast');
  t.textContent = text;
  t.className = bad ? 'toast bad' : 'toast';
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    t.hidden = true;
  }, 5000);
}

const hostConfig = new AdaptiveCards.HostConfig({
  fontFamily: 'system-ui, -apple-system, "Segoe UI", sans-serif',
  actions: { maxActions: 8, showCard: { actionMode: 'inline', inlineTopMargin: 12 } },
});

/** Renders an Adaptive Card; a press sends the action's data (with the card's inputs merged in) to the server. */
function renderCard(json, onDone) {
  const card = new AdaptiveCards.AdaptiveCard();
  card.hostConfig = hostConfig;
  card.onExecuteAction = (action) => {
    if (action instanceof AdaptiveCards.SubmitAction || action instanceof AdaptiveCards.ExecuteAction)
      press(action.data, onDone);
  };
  // Each input's wrapper carries the card's input id, so the page (and its tests) can find an input by name;
  // a form inside a card (Action.ShowCard) is rendered when it is opened.
  const tag = () => {
    for (const input of card.getAllInputs()) input.renderedElement?.setAttribute('data-input-id', input.id);
  };
  card.onInlineCardExpanded = tag;
  // The request form: answering yes to the significant-harm question shows the council's phone route at once.
  const submit = json.actions?.[0]?.data;
  if (submit?.action === 'start') {
    card.onInputValueChanged = (input) => {
      if (/significant_harm$/.test(input.id) && input.value === 'true')
        press({ action: 'start', routeId: submit.routeId, [input.id]: 'true' });
    };
  }
  card.parse(json);
  const node = card.render();
  tag();
  return node;
}

async function press(data, onDone) {
  try {
    const result = await api('POST', '/local/api/submit', { data });
    handleResult(result);
    if (result.done && onDone) onDone();
  } catch (e) {
    showError(e.message);
  }
}

function showError(text) {
  if ($('dialog').open) {
    $('dialog-error').textContent = text;
    $('dialog-error').hidden = false;
  } else toast(text, true);
}

function handleResult(result) {
  if (result.form) return openDialog(result.form.title, result.form.card, result.error);
  if (result.choose) return openChooser(result.choose);
  if (result.reply) return showEphemeral(result.reply);
  if (result.error) return showError(result.error);
  if (result.done) {
    closeDialog();
    toast(result.done);
  }
}

function openDialog(title, card, error) {
  $('dialog-title').textContent = title;
  $('dialog-error').hidden = !error;
  $('dialog-error').textContent = error || '';
  const body = $('dialog-body');
  body.replaceChildren(renderCard(card));
  if (!$('dialog').open) $('dialog').showModal();
}

function closeDialog() {
  if ($('dialog').open) $('dialog').close();
}

function openChooser(choose) {
  $('dialog-title').textContent = choose.title;
  $('dialog-error').hidden = true;
  const list = document.createElement('div');
  list.className = 'routes';
  for (const r of choose.routes) {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.route = r.id;
    b.innerHTML = `<strong>${escapeHtml(r.name)}</strong><br><span class="muted small">${escapeHtml(r.summary)}</span>`;
    b.onclick = async () =>
      handleResult(
        await api('POST', '/local/api/route', { routeId: r.id }).catch((e) => ({ error: e.message })),
      );
    list.append(b);
  }
  $('dialog-body').replaceChildren(list);
  if (!$('dialog').open) $('dialog').showModal();
}

function showEphemeral(reply) {
  const box = $('ephemeral');
  box.replaceChildren();
  const note = document.createElement('div');
  note.className = 'muted';
  note.textContent = 'Only you can see this';
  box.append(note);
  if (reply.text) {
    const p = document.createElement('div');
    p.className = 'text';
    p.style.whiteSpace = 'pre-wrap';
    p.innerHTML = markup(reply.text);
    box.append(p);
  }
  if (reply.card) box.append(renderCard(reply.card));
  box.hidden = false;
}

// ---- conversations -------------------------------------------------------------------------------------

async function loadConversations() {
  if (!state.person) return;
  const list = await api('GET', '/local/api/conversations');
  const ul = $('conversations');
  ul.replaceChildren();
  if (!list.some((c) => c.id === state.conversation)) state.conversation = list[0]?.id || '';
  for (const c of list) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = '#';
    a.dataset.conversation = c.id;
    a.setAttribute('aria-current', String(c.id === state.conversation));
    a.innerHTML = `<span>${escapeHtml(c.name)}</span><span class="count">${c.count || ''}</span>`;
    a.onclick = (e) => {
      e.preventDefault();
      state.conversation = c.id;
      state.rendered = null;
      $('ephemeral').hidden = true;
      loadConversations();
      loadMessages();
    };
    li.append(a);
    ul.append(li);
  }
  const current = list.find((c) => c.id === state.conversation);
  $('conversation-title').textContent = current ? current.name : '';
}

function when(iso) {
  return new Date(iso).toLocaleString('en-GB', {
    timeZone: 'Europe/London',
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

function messageNode(m) {
  const div = document.createElement('article');
  div.className = 'message';
  div.dataset.id = m.id;
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = `Stepwise · ${when(m.at)}${m.edited ? ` · updated ${when(m.updatedAt)}` : ''}`;
  div.append(meta);
  if (m.text && !m.card) {
    const t = document.createElement('div');
    t.className = 'text';
    t.innerHTML = markup(m.text);
    div.append(t);
  } else if (m.text && m.card && !m.id.startsWith('card:') && !m.id.startsWith('meeting:')) {
    const t = document.createElement('div');
    t.className = 'text';
    t.innerHTML = markup(m.text);
    div.append(t);
  }
  if (m.card) {
    const c = document.createElement('div');
    c.className = 'card';
    c.append(renderCard(m.card));
    div.append(c);
  }
  if (m.file) {
    const a = document.createElement('a');
    a.href = m.file.url;
    a.download = m.file.filename;
    a.textContent = `📅 ${m.file.title} (${m.file.filename})`;
    div.append(a);
  }
  if (m.replies?.length) {
    const r = document.createElement('div');
    r.className = 'replies';
    for (const reply of m.replies) {
      const p = document.createElement('div');
      p.className = 'reply';
      p.innerHTML = `<span class="muted small">${when(reply.at)}</span> ${markup(reply.text)}`;
      r.append(p);
    }
    div.append(r);
  }
  return div;
}

async function loadMessages() {
  if (!state.person || !state.conversation) return;
  const wanted = state.conversation;
  // Only what changed since the newest change this window has is sent again; the rest is kept as drawn.
  const cache = state.rendered && state.rendered.conversation === wanted ? state.rendered : null;
  const since = cache ? `&since=${encodeURIComponent(cache.since)}` : '';
  const list = await api('GET', `/local/api/messages?conversation=${encodeURIComponent(wanted)}${since}`);
  if (wanted !== state.conversation) return;
  if (list.some((m) => m.unchanged && !cache?.nodes.has(m.id))) {
    state.rendered = null;
    return loadMessages();
  }
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const nodes = new Map();
  let newest = cache ? cache.since : '';
  for (const m of list) {
    nodes.set(m.id, m.unchanged ? cache.nodes.get(m.id) : messageNode(m));
    if (m.stamp > newest) newest = m.stamp;
  }
  state.rendered = { conversation: wanted, since: newest, nodes };
  box.replaceChildren(...nodes.values());
  if (!list.length) box.innerHTML = '<p class="muted">Nothing here yet.</p>';
  if (atBottom) box.scrollTop = box.scrollHeight;
  box.dataset.loaded = String(Date.now());
}

// ---- who you are ----------------------------------------------------------------------------------------

function choosePerson(id) {
  state.person = id;
  localStorage.setItem('stepwise.person', id);
  document.cookie = `stepwise_person=${encodeURIComponent(id)}; SameSite=Strict; Path=/`;
  const p = state.session.people.find((x) => x.id === id);
  $('person-team').textContent = p ? `${p.team} · ${p.roles.join(', ')}` : '';
  $('composer').disabled = !p;
  document.querySelector('#composer-form button').disabled = !p;
  $('ephemeral').hidden = true;
  state.conversation = '';
  state.rendered = null;
  loadConversations().then(loadMessages);
}

function showClock(iso, offsetMs) {
  $('clock-now').textContent = when(iso);
  $('clock-now').dateTime = iso;
  $('clock-now').title = offsetMs
    ? `${Math.round(offsetMs / 3600000)} hours ahead of real time`
    : 'real time';
}

async function start() {
  state.session = await api('GET', '/local/api/session');
  $('council').textContent = `${state.session.council} · local workspace`;
  showClock(state.session.clock.now, state.session.clock.offsetMs);
  const select = $('person');
  const byTeam = new Map();
  for (const p of state.session.people) byTeam.set(p.team, [...(byTeam.get(p.team) || []), p]);
  for (const [team, people] of byTeam) {
    const group = document.createElement('optgroup');
    group.label = team;
    for (const p of people) group.append(new Option(`${p.name} (${p.roles.join(', ')})`, p.id));
    select.append(group);
  }
  select.onchange = () => choosePerson(select.value);
  if (state.person && state.session.people.some((p) => p.id === state.person)) {
    select.value = state.person;
    choosePerson(state.person);
  }

  $('composer-form').onsubmit = async (e) => {
    e.preventDefault();
    const text = $('composer').value.trim();
    if (!text) return;
    try {
      handleResult(await api('POST', '/local/api/command', { text }));
      $('composer').value = '';
    } catch (err) {
      toast(err.message, true);
    }
  };
  $('dialog-close').onclick = closeDialog;
  for (const b of document.querySelectorAll('[data-advance]')) {
    b.onclick = async () => {
      try {
        const r = await api('POST', '/local/api/clock', { advance: b.dataset.advance });
        showClock(r.now, r.offsetMs);
        toast(`The demo clock moved on: ${r.handled} due item(s) handled.`);
      } catch (err) {
        toast(err.message, true);
      }
    };
  }

  const events = new EventSource('/local/api/events');
  events.addEventListener('changed', (e) => {
    const { conversation } = JSON.parse(e.data);
    if (conversation === state.conversation) loadMessages();
    loadConversations();
  });
  events.addEventListener('clock', (e) => {
    const c = JSON.parse(e.data);
    showClock(c.now, c.offsetMs);
  });
  events.onopen = () => {
    document.body.dataset.live = 'true';
  };
}

window.addEventListener('DOMContentLoaded', () => {
  start().catch((e) => toast(e.message, true));
});
