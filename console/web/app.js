// The task center page (docs/console.md): sign-in, the task list, a task's details and the
// create flow, over the JSON API of /api/v1. No framework and no build step. Whatever comes
// from the server is put on the page as text (textContent, text nodes), never parsed as HTML:
// table names, remarks, DDL and log lines may contain anything.
'use strict';

(function () {
  const API = '/api/v1';
  const PAGE_SIZE = 50;
  const STATUSES = ['WAIT_FOR_APPROVAL', 'WAIT_FOR_EXECUTION', 'EXECUTING', 'EXECUTION_SUCCEEDED',
    'EXECUTION_SUCCEEDED_WITH_ERRORS', 'EXECUTION_FAILED', 'REJECTED', 'APPROVAL_EXPIRED',
    'EXECUTION_EXPIRED', 'CANCELLED'];
  const FINAL = new Set(STATUSES.slice(3));

  const state = {
    csrf: null,
    user: null,
    list: {offset: 0, sort: '-created_at'},
    task: null,   // id of the task shown
    tab: 'info',
    analysis: null,
    timer: null,
  };

  const $ = (id) => document.getElementById(id);

  // el('td', {class: 'x', 'data-id': 3}, 'text', otherNode): strings become text nodes.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      if (k === 'onclick') e.addEventListener('click', v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function showError(message) {
    const box = $('error');
    box.textContent = message || '';
    box.hidden = !message;
  }

  class ApiError extends Error {
    constructor(status, body) {
      super(body && body.message ? body.message : 'HTTP ' + status);
      this.status = status;
      this.code = body && body.code;
    }
  }

  async function api(method, path, body) {
    const headers = {};
    const init = {method, headers, credentials: 'same-origin'};
    if (method !== 'GET') {
      if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
    }
    const r = await fetch(API + path, init);
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) {
      if (r.status === 401 && path !== '/session') signedOut();
      throw new ApiError(r.status, data);
    }
    return data;
  }

  // Runs an async action, showing its error in the banner.
  async function guarded(fn) {
    try {
      showError('');
      await fn();
    } catch (e) {
      showError(e.code ? `${e.message} (${e.code})` : e.message);
    }
  }

  function show(view) {
    for (const v of ['signin', 'list', 'task', 'create']) $('view-' + v).hidden = v !== view;
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
  }

  // ---- sign-in ---------------------------------------------------------------------------------

  function signedIn(session) {
    state.csrf = session.csrf_token;
    state.user = session.user;
    $('whoami').textContent = `${session.user}` +
        (session.roles.length ? ` (${session.roles.join(', ')})` : '');
    $('signout').hidden = false;
  }

  function signedOut() {
    state.csrf = null;
    state.user = null;
    $('whoami').textContent = '';
    $('signout').hidden = true;
    show('signin');
  }

  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    $('signin-error').textContent = '';
    $('signin-button').disabled = true;
    api('POST', '/session', {user: $('signin-user').value, password: $('signin-password').value})
      .then((s) => {
        $('signin-password').value = '';
        signedIn(s);
        route();
      })
      .catch((e) => { $('signin-error').textContent = e.message; })
      .finally(() => { $('signin-button').disabled = false; });
  });

  $('signout').addEventListener('click', () => guarded(async () => {
    await api('DELETE', '/session');
    signedOut();
  }));

  // ---- routing: #/tasks, #/tasks/12, #/create ----------------------------------------------

  function route() {
    if (!state.user) return show('signin');
    const m = location.hash.match(/^#\/tasks\/(\d+)$/);
    if (m) return openTask(Number(m[1]));
    if (location.hash === '#/create') return openCreate();
    return openList();
  }
  window.addEventListener('hashchange', () => { showError(''); route(); });

  // ---- the task list -----------------------------------------------------------------------

  for (const s of STATUSES) $('f-status').append(el('option', {value: s}, s));

  function listQuery() {
    const q = new URLSearchParams();
    if ($('f-all').checked) q.set('all', 'true');
    const conn = $('f-connection').value.trim();
    const db = $('f-database').value.trim();
    const creator = $('f-creator').value.trim();
    if (conn) q.set('connection', conn);
    if (db) q.set('database.like', db.includes('%') ? db : `%${db}%`);
    if (creator) q.set('creator', creator);
    if ($('f-status').value) q.set('status', $('f-status').value);
    q.set('sort', state.list.sort);
    q.set('limit', String(PAGE_SIZE));
    q.set('offset', String(state.list.offset));
    return q.toString();
  }

  async function loadList() {
    const page = await api('GET', '/tasks?' + listQuery());
    const body = clear($('tasks').tBodies[0]);
    for (const t of page.tasks) {
      const row = el('tr', {'data-task-id': t.task_id, class: 'clickable'},
        el('td', {}, el('a', {href: `#/tasks/${t.task_id}`}, String(t.task_id))),
        el('td', {}, t.task_type), el('td', {}, t.connection), el('td', {}, t.database),
        el('td', {}, t.creator), el('td', {}, t.created_at),
        el('td', {class: 'status', 'data-status': t.status}, t.status));
      row.addEventListener('click', (ev) => {
        if (ev.target.tagName !== 'A') location.hash = `#/tasks/${t.task_id}`;
      });
      body.append(row);
    }
    if (!page.tasks.length) body.append(el('tr', {}, el('td', {colspan: 7, class: 'hint'}, 'No tasks.')));
    const first = page.tasks.length ? page.offset + 1 : 0;
    $('page-info').textContent = `${first}–${page.offset + page.tasks.length}`;
    $('page-prev').disabled = page.offset === 0;
    $('page-next').disabled = !page.has_more;
    for (const th of $('tasks').tHead.rows[0].cells) {
      const col = th.dataset.sort;
      th.classList.toggle('sorted', state.list.sort.replace('-', '') === col);
      th.classList.toggle('desc', state.list.sort === '-' + col);
    }
    // Live status: while something on the page is still moving, look again soon.
    if (page.tasks.some((t) => !FINAL.has(t.status)) && !$('view-list').hidden) {
      state.timer = setTimeout(() => guarded(loadList), 3000);
    }
  }

  function openList() {
    show('list');
    guarded(loadList);
  }

  for (const th of $('tasks').tHead.rows[0].cells) {
    th.addEventListener('click', () => {
      const col = th.dataset.sort;
      state.list.sort = state.list.sort === col ? '-' + col : col;
      state.list.offset = 0;
      openList();
    });
  }
  $('f-apply').addEventListener('click', () => { state.list.offset = 0; openList(); });
  $('f-all').addEventListener('change', () => { state.list.offset = 0; openList(); });
  $('page-prev').addEventListener('click', () => {
    state.list.offset = Math.max(0, state.list.offset - PAGE_SIZE);
    openList();
  });
  $('page-next').addEventListener('click', () => { state.list.offset += PAGE_SIZE; openList(); });
  $('create-open').addEventListener('click', () => { location.hash = '#/create'; });

  // ---- one task ----------------------------------------------------------------------------

  const INFO_LABELS = [
    ['status', 'Status'], ['task_id', 'Task ID'], ['task_type', 'Type'],
    ['connection', 'Connection'], ['database', 'Database'], ['execution_mode', 'Execution mode'],
    ['execute_at', 'Execute at'], ['error_strategy', 'On error'], ['remarks', 'Remarks'],
    ['creator', 'Creator'], ['created_at', 'Created at'], ['process', 'Approval process'],
    ['synced_tables', 'Synced tables'], ['unsynced_tables', 'Unsynced tables'],
    ['statements', 'Statements'], ['executed_statements', 'Executed statements'],
    ['failed_statements', 'Failed statements'], ['started_at', 'Started at'],
    ['finished_at', 'Finished at']];

  function text(v) {
    if (v === null || v === undefined || v === '') return '—';
    if (Array.isArray(v)) return v.length ? v.join(', ') : '—';
    return String(v);
  }

  function grid(columns, rows) {
    const t = el('table', {class: 'grid'},
      el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', {}, c)))));
    const body = el('tbody');
    for (const r of rows) body.append(r);
    t.append(body);
    return t;
  }

  async function renderTab(info) {
    const box = $('tab-content');
    const id = state.task;
    $('logs-bar').hidden = state.tab !== 'logs';
    let node;
    if (state.tab === 'info') {
      node = el('table', {class: 'fields', id: 'info'});
      for (const [k, label] of INFO_LABELS)
        node.append(el('tr', {'data-field': k}, el('th', {}, label), el('td', {}, text(info[k]))));
    } else if (state.tab === 'tables') {
      const d = await api('GET', `/tasks/${id}/tables`);
      const rows = (skipped) => d.tables.filter((t) => t.skipped === skipped).map((t) =>
        el('tr', {'data-table': t.source_table}, el('td', {}, t.source_table),
          el('td', {}, t.shadow_table), el('td', {}, t.result)));
      node = el('div', {id: 'tables'},
        el('h3', {}, 'Synced tables'), grid(['Source', 'Shadow', 'Result'], rows(false)),
        el('h3', {}, 'Unsynced tables (skipped)'), grid(['Source', 'Shadow', 'Result'], rows(true)));
    } else if (state.tab === 'sql') {
      const d = await api('GET', `/tasks/${id}/sql`);
      node = grid(['#', 'SQL', 'State', 'Error'], d.statements.map((s) =>
        el('tr', {'data-seq': s.seq}, el('td', {}, String(s.seq)),
          el('td', {}, el('pre', {}, s.sql)),
          el('td', {class: 'state', 'data-state': s.state}, s.state), el('td', {}, text(s.error)))));
      node.id = 'sql';
    } else if (state.tab === 'process') {
      const d = await api('GET', `/tasks/${id}/process`);
      node = el('ol', {class: 'timeline', id: 'process'});
      for (const s of d.steps)
        node.append(el('li', {'data-status': s.status},
          el('strong', {}, s.node), ' ', el('span', {class: 'status'}, s.status),
          el('div', {class: 'hint'}, [s.operator, s.at].filter(Boolean).join(' · ')),
          s.comment ? el('div', {class: 'comment'}, s.comment) : null));
    } else {
      const q = logsQuery();
      const d = await api('GET', `/tasks/${id}/logs?${q}`);
      $('log-download').href = `${API}/tasks/${id}/logs/download?${q}`;
      node = el('div', {id: 'logs'});
      for (const l of d.logs)
        node.append(el('div', {class: 'log-line', 'data-level': l.level},
          el('span', {class: 'at'}, l.at), ' ', el('span', {class: 'level'}, l.level), ' ',
          el('span', {class: 'message'}, l.message)));
      if (!d.logs.length) node.append(el('p', {class: 'hint'}, 'No log lines.'));
    }
    clear(box).append(node);
  }

  function logsQuery() {
    const q = new URLSearchParams();
    if ($('log-level').value === 'alert') q.set('level', 'alert');
    if ($('log-q').value) q.set('q', $('log-q').value);
    return q.toString();
  }

  async function loadTask() {
    const id = state.task;
    const info = await api('GET', `/tasks/${id}`);
    if (state.task !== id) return;
    $('task-title').textContent = `Task ${info.task_id} · ${info.database}`;
    const st = $('task-status');
    st.textContent = info.status;
    st.dataset.status = info.status;
    $('act-approve').hidden = !info.actions.approve;
    $('act-reject').hidden = !info.actions.reject;
    $('act-abort').hidden = !info.actions.abort;
    $('act-execute').hidden = !info.actions.execute;
    $('act-retry').hidden = !info.actions.retry;
    $('act-comment').hidden = !(info.actions.approve || info.actions.reject);
    for (const b of document.querySelectorAll('.tabs button'))
      b.classList.toggle('active', b.dataset.tab === state.tab);
    await renderTab(info);
    if (!info.final && !$('view-task').hidden && state.tab !== 'logs')
      state.timer = setTimeout(() => guarded(loadTask), 2000);
  }

  function openTask(id) {
    show('task');
    if (state.task !== id) {
      state.tab = 'info';
      $('log-q').value = '';
      $('log-level').value = 'all';
      $('log-copied').textContent = '';
    }
    state.task = id;
    clear($('tab-content'));
    guarded(loadTask);
  }

  for (const b of document.querySelectorAll('.tabs button')) {
    b.addEventListener('click', () => {
      state.tab = b.dataset.tab;
      if (state.timer) clearTimeout(state.timer);
      guarded(loadTask);
    });
  }
  $('back').addEventListener('click', () => { location.hash = '#/tasks'; });
  $('log-search').addEventListener('click', () => guarded(loadTask));
  $('log-q').addEventListener('keydown', (ev) => { if (ev.key === 'Enter') guarded(loadTask); });
  $('log-level').addEventListener('change', () => guarded(loadTask));
  $('log-copy').addEventListener('click', () => guarded(async () => {
    const lines = [...document.querySelectorAll('#logs .log-line')].map((n) => n.textContent);
    await navigator.clipboard.writeText(lines.join('\n'));
    $('log-copied').textContent = `${lines.length} lines copied`;
  }));

  function act(name, withComment) {
    $('act-' + name).addEventListener('click', () => guarded(async () => {
      const body = withComment ? {comment: $('act-comment').value} : undefined;
      if (name === 'abort' && !window.confirm(`Abort task ${state.task}?`)) return;
      const r = await api('POST', `/tasks/${state.task}/${name}`, body);
      $('act-comment').value = '';
      if (name === 'retry') {
        location.hash = `#/tasks/${r.task_id}`;
      } else {
        if (state.timer) clearTimeout(state.timer);
        await loadTask();
      }
    }));
  }
  act('approve', true);
  act('reject', true);
  act('abort', false);
  act('execute', false);
  act('retry', false);

  // ---- the create flow ---------------------------------------------------------------------

  function openCreate() {
    show('create');
  }
  $('create-back').addEventListener('click', () => { location.hash = '#/tasks'; });
  $('c-all').addEventListener('change', () => { $('c-tables').disabled = $('c-all').checked; });

  function renderAnalysis(a) {
    state.analysis = a;
    $('c-analysis').hidden = false;
    $('c-analysis-title').textContent =
        `Analysis ${a.analysis_id} of ${a.database}` + (a.submitted ? ' (submitted)' : '');
    const body = clear($('c-results').tBodies[0]);
    for (const t of a.tables) {
      const view = el('button', {type: 'button', class: 'view'}, 'View');
      view.addEventListener('click', () => guarded(() => viewTable(t.source_table)));
      const toggle = el('button', {type: 'button', class: t.skipped ? 'unskip' : 'skip'},
        t.skipped ? 'Undo skip' : 'Skip');
      toggle.disabled = t.result === 'NO_ACTION' || a.submitted;
      toggle.addEventListener('click', () => guarded(async () => {
        await api('POST', `/analyses/${a.analysis_id}/${t.skipped ? 'unskip' : 'skip'}`,
          {tables: [t.source_table]});
        renderAnalysis(await api('GET', `/analyses/${a.analysis_id}`));
        if (!$('c-preview-sql').hidden) await preview();
      }));
      body.append(el('tr', {'data-table': t.source_table, 'data-skipped': String(t.skipped)},
        el('td', {}, t.source_table), el('td', {}, t.shadow_table),
        el('td', {class: 'result'}, t.result), el('td', {}, String(t.statements)),
        el('td', {}, t.skipped ? 'unsynced' : (t.result === 'NO_ACTION' ? '—' : 'synced')),
        el('td', {}, view, ' ', toggle)));
    }
    $('c-submit').disabled = a.submitted;
  }

  async function viewTable(name) {
    const a = state.analysis;
    const v = await api('GET', `/analyses/${a.analysis_id}/tables/${encodeURIComponent(name)}`);
    $('c-view').hidden = false;
    $('c-view-title').textContent = `${v.source_table} → ${v.shadow_table} (${v.result})`;
    $('c-source-ddl').textContent = v.source_ddl;
    $('c-shadow-ddl').textContent = v.shadow_ddl === null ? '(does not exist yet)' : v.shadow_ddl;
    $('c-change-sql').textContent = v.change_sql || '(nothing to change)';
  }

  async function preview() {
    const p = await api('GET', `/analyses/${state.analysis.analysis_id}/preview`);
    const box = $('c-preview-sql');
    box.hidden = false;
    box.textContent = p.statements.length ? p.statements.join('\n\n') : '-- nothing to run';
  }

  $('c-analyze').addEventListener('click', () => guarded(async () => {
    const body = {database: $('c-database').value.trim()};
    if ($('c-all').checked) body.all_tables = true;
    else body.tables = $('c-tables').value.split(',').map((s) => s.trim()).filter(Boolean);
    const affix = $('c-affix').value.trim();
    if (affix) body[$('c-naming').value] = affix;
    $('c-view').hidden = true;
    $('c-preview-sql').hidden = true;
    $('c-message').textContent = '';
    renderAnalysis(await api('POST', '/analyses', body));
  }));
  $('c-preview').addEventListener('click', () => guarded(preview));
  $('c-submit').addEventListener('click', () => guarded(async () => {
    const body = {mode: $('c-mode').value, on_error: $('c-on-error').value,
      remarks: $('c-remarks').value};
    if (body.mode === 'AT') body.execute_at = $('c-at').value.trim();
    const t = await api('POST', `/analyses/${state.analysis.analysis_id}/submit`, body);
    $('c-message').textContent = `Task ${t.task_id} submitted: ${t.status} (process ${t.process})`;
    $('c-message').dataset.taskId = t.task_id;
    $('c-submit').disabled = true;
    const link = el('a', {href: `#/tasks/${t.task_id}`, id: 'c-open-task'}, 'Open the task');
    $('c-message').append(' ', link);
  }));

  // ---- start -------------------------------------------------------------------------------

  api('GET', '/session')
    .then((s) => { signedIn(s); route(); })
    .catch(() => signedOut());
})();
