// appeals.js: the citizen's side of appeals — the form (#/write), "my appeals" (#/appeals) and the appeal page
// (#/appeals/{id}) with the actions the server allows. User data reaches the page through textContent only.
import {
	t, plural, fmtDeadline, h, add, clear, uid, ApiError, api, qs, listAll, state, announce, go, addRoute,
	makeField, makeForm, pageHead, badge, orgLabel,
} from './app.js';

export const TEXT_MAX = 4000;

/* ---------- small shared views ---------- */

export function fmtDate(ms, withTime = true) {
	if (ms == null)
		return '—';
	const o = { year: 'numeric', month: 'long', day: 'numeric' };
	if (withTime) {
		o.hour = '2-digit';
		o.minute = '2-digit';
	}
	return new Date(ms).toLocaleString('ru-RU', o);
}

const STATUS_KIND = {
	submitted: 'warn', routed: 'neutral', redirected: 'neutral', in_progress: 'neutral', clarification: 'warn', clarified: 'neutral',
	approval: 'warn', answered: 'ok', rereview: 'warn', closed: 'muted', rejected: 'muted', merged: 'muted',
};
export function statusBadge(status) {
	return badge(t(`status.${status}`), STATUS_KIND[status] || 'neutral');
}

// The deadline of an appeal (brief or full) as a small node: date, overdue mark, paused/extended notes.
export function deadlineNode(a) {
	if (a.deadline_at == null)
		return h('span', { class: 'muted', text: t('ap.noDeadline') });
	return h('span', { class: 'deadline' }, h('span', { text: fmtDate(a.deadline_at) }),
		a.overdue ? [' ', badge(t('ap.overdue'), 'err')] : null,
		a.paused ? [' ', badge(t('status.clarification'), 'warn')] : null);
}

const kb = (n) => Math.max(1, Math.round((n || 0) / 1024));

/* ---------- attachments: upload, list, remove ---------- */

// A file picker that uploads each chosen file (POST /api/attachments?name=…) and lists them with «Убрать».
export function attachBox(label, hint) {
	const id = uid('files');
	const hintId = `${id}-hint`, errId = `${id}-err`;
	const input = h('input', { type: 'file', id, multiple: true, class: 'file-native', accept: 'image/jpeg,image/png,image/webp,image/gif,application/pdf', 'aria-describedby': hintId });
	const err = h('p', { class: 'field-error', id: errId, hidden: true, role: 'alert' });
	const list = h('ul', { class: 'plain files-list', 'aria-live': 'polite' });
	const files = [];
	const draw = () => {
		clear(list);
		for (const f of files)
			list.append(h('li', { class: 'file-item' }, h('span', { class: 'file-item-name', text: f.name }), ' ',
				h('span', { class: 'muted', text: t('files.size', { size: kb(f.size) }) }), ' ',
				h('button', { type: 'button', class: 'btn btn-small btn-danger-outline', 'aria-label': t('files.removeLabel', { name: f.name }), text: t('files.remove'),
					onclick: () => { files.splice(files.indexOf(f), 1); draw(); input.focus(); } })));
	};
	const setError = (msg) => {
		err.textContent = msg || '';
		err.hidden = !msg;
		if (msg) {
			input.setAttribute('aria-invalid', 'true');
			input.setAttribute('aria-describedby', `${hintId} ${errId}`);
		} else {
			input.removeAttribute('aria-invalid');
			input.setAttribute('aria-describedby', hintId);
		}
	};
	const pending = new Set();
	input.addEventListener('change', () => {
		setError(null);
		const msgs = [];
		const jobs = [...input.files].map(async (file) => {
			const row = h('li', { class: 'file-item muted', text: t('files.uploading', { name: file.name }) });
			list.append(row);
			try {
				const r = await api('POST', `/api/attachments?name=${encodeURIComponent(file.name)}`, file, { raw: file.type || 'application/octet-stream' });
				files.push(r);
			} catch (e) {
				msgs.push(t('files.failed', { name: file.name, message: e.message }));
			}
		});
		const all = Promise.all(jobs).then(() => {
			pending.delete(all);
			draw();
			if (msgs.length)
				setError(msgs.join(' '));
		});
		pending.add(all);
		input.value = '';
	});
	const wrap = h('div', { class: 'field' }, h('label', { for: id, text: label }), h('p', { class: 'field-hint', id: hintId, text: hint || t('write.filesHint') }),
		input, h('label', { for: id, class: 'btn file-button', 'aria-hidden': 'true', text: t('file.choose') }), list, err);
	return {
		wrap, input, setError, focus: () => input.focus(),
		ids: () => files.map((f) => f.id),
		settled: () => Promise.all([...pending]),
		reset: () => { files.length = 0; draw(); setError(null); },
	};
}

/* ---------- the form: #/write ---------- */

async function pageWrite({ query }) {
	const widget = query.get('widget') === '1';
	const [cats, topics, regions] = await Promise.all([
		listAll('categories'), listAll('topics'),
		api('GET', '/api/territories?kind=region&limit=500').then((r) => r.items).catch(() => []),
	]);
	const activeCats = cats.filter((c) => c.active !== false).sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0) || a.name.localeCompare(b.name, 'ru'));
	const activeTopics = topics.filter((x) => x.active !== false).sort((a, b) => a.name.localeCompare(b.name, 'ru'));
	regions.sort((a, b) => a.name.localeCompare(b.name, 'ru'));
	const topicById = new Map(activeTopics.map((x) => [x.id, x]));

	// Preselection: ?topic=CODE&territory=CODE (the widget) or ?topic_id=&territory_id=.
	let preTopic = null, preTerr = null, preOrg = null;
	if (query.get('topic'))
		preTopic = activeTopics.find((x) => x.code === query.get('topic')) || null;
	else if (query.get('topic_id'))
		preTopic = topicById.get(Number(query.get('topic_id'))) || null;
	const findTerr = async (code) => {
		const r = await api('GET', `/api/territories${qs({ q: code, limit: 50 })}`).catch(() => ({ items: [] }));
		return r.items.find((x) => x.code === code) || null;
	};
	if (query.get('territory'))
		preTerr = await findTerr(query.get('territory'));
	if (query.get('org')) {
		const r = await api('GET', `/api/orgs${qs({ q: query.get('org'), limit: 50 })}`).catch(() => ({ items: [] }));
		preOrg = r.items.find((x) => x.code === query.get('org')) || null;
	}
	let preRegion = null, preMuni = null;
	if (preTerr) {
		if (preTerr.kind === 'region')
			preRegion = preTerr;
		else if (preTerr.parent_id != null) {
			preRegion = regions.find((x) => x.id === preTerr.parent_id) || null;
			preMuni = preTerr;
		}
	}
	if (!preRegion && state.me && state.me.user.home_territory_id != null)
		preRegion = regions.find((x) => x.id === state.me.user.home_territory_id) || null;
	if (!preRegion && regions.length === 1)
		preRegion = regions[0];

	const alertBox = h('div', { class: 'alert alert-error', role: 'alert', tabindex: '-1', hidden: true });

	// topic
	const catF = makeField({ name: 'category_id', label: t('write.category'), type: 'select', required: true,
		options: [['', t('common.choose')], ...activeCats.map((c) => [String(c.id), c.name])] }, preTopic ? String(preTopic.category_id) : '');
	const topicF = makeField({ name: 'topic_id', label: t('write.topic'), type: 'select', required: true, options: [['', t('write.topicFirst')]] }, '');
	const hintBox = h('div', { class: 'topic-hint-box', 'aria-live': 'polite' });
	const fillTopics = (selected) => {
		const cid = Number(catF.control.value);
		clear(topicF.control);
		const list = activeTopics.filter((x) => x.category_id === cid);
		topicF.control.append(h('option', { value: '', text: cid ? t('common.choose') : t('write.topicFirst') }),
			...list.map((x) => h('option', { value: String(x.id), text: x.name })));
		topicF.control.disabled = !cid;
		topicF.control.value = selected ? String(selected) : '';
		showHint();
	};
	const showHint = () => {
		clear(hintBox);
		const tp = topicById.get(Number(topicF.control.value));
		if (!tp)
			return;
		hintBox.append(h('div', { class: 'alert alert-info topic-hint-card' }, h('p', { class: 'strong', text: t('write.hintTitle') }),
			tp.hint ? h('p', { class: 'topic-hint', text: tp.hint }) : null,
			h('p', { class: 'muted', text: t('write.deadline', { deadline: fmtDeadline(tp.deadline, tp.deadline_unit) }) })));
	};
	catF.control.addEventListener('change', () => { fillTopics(null); scheduleSuggest(); });
	topicF.control.addEventListener('change', () => { showHint(); scheduleSuggest(); });
	const setTopic = (id) => {
		const tp = topicById.get(id);
		if (!tp)
			return;
		catF.control.value = String(tp.category_id);
		fillTopics(tp.id);
		topicF.setError(null);
		catF.setError(null);
	};

	// place
	const regionF = makeField({ name: 'region', label: t('write.region'), type: 'select', required: true,
		options: [['', t('common.choose')], ...regions.map((r) => [String(r.id), r.name])] }, preRegion ? String(preRegion.id) : '');
	const muniF = makeField({ name: 'municipality', label: t('write.municipality'), type: 'select', options: [['', t('write.municipalityAny')]] }, '');
	const loadMunis = async (selected) => {
		const rid = Number(regionF.control.value);
		clear(muniF.control).append(h('option', { value: '', text: t('write.municipalityAny') }));
		if (!rid)
			return;
		const r = await api('GET', `/api/territories${qs({ parent_id: rid, limit: 500 })}`).catch(() => ({ items: [] }));
		const items = r.items.filter((x) => x.active !== false).sort((a, b) => a.name.localeCompare(b.name, 'ru'));
		muniF.control.append(...items.map((x) => h('option', { value: String(x.id), text: x.name })));
		muniF.control.value = selected ? String(selected) : '';
	};
	regionF.control.addEventListener('change', () => { loadMunis(null); scheduleSuggest(); });
	muniF.control.addEventListener('change', scheduleSuggest);
	const latF = makeField({ name: 'lat', label: t('write.lat'), type: 'number', decimal: true, narrow: true });
	const lonF = makeField({ name: 'lon', label: t('write.lon'), type: 'number', decimal: true, narrow: true });
	const geoNote = h('p', { class: 'muted', 'aria-live': 'polite' });
	const locateBtn = 'geolocation' in navigator ? h('button', { type: 'button', class: 'btn', text: t('write.locate'), onclick: () => {
		geoNote.textContent = t('write.locating');
		navigator.geolocation.getCurrentPosition((pos) => {
			latF.set(pos.coords.latitude.toFixed(6));
			lonF.set(pos.coords.longitude.toFixed(6));
			geoNote.textContent = t('write.located');
			scheduleSuggest();
		}, (e) => { geoNote.textContent = t('write.locateFailed', { message: e.message || '' }); }, { timeout: 10000, maximumAge: 60000 });
	} }) : null;
	const pointBox = h('div', { class: 'point-box' }, h('p', { class: 'field-hint', text: t('write.pointHint') }),
		h('div', { class: 'point-row' }, latF.wrap, lonF.wrap), locateBtn, geoNote);
	const addrF = makeField({ name: 'address', label: t('write.address'), hint: t('write.addressHint'), maxlength: 500, autocomplete: 'street-address' });

	// text
	const textF = makeField({ name: 'text', label: t('write.text'), hint: t('write.textHint'), type: 'textarea', rows: 8, required: true, maxlength: TEXT_MAX });
	const counterId = uid('counter');
	const counter = h('p', { class: 'counter', id: counterId });
	textF.control.after(counter);
	const counterText = () => {
		const n = textF.control.value.length;
		counter.textContent = t('write.counter', { n, max: TEXT_MAX });
		counter.classList.toggle('counter-near', n > TEXT_MAX * 0.9);
	};
	textF.control.setAttribute('aria-describedby', `${textF.control.getAttribute('aria-describedby') || ''} ${counterId}`.trim());
	textF.control.addEventListener('input', () => {
		counterText();
		scheduleSuggest();
		if (textF.control.value.trim())
			textF.setError(null);
	});
	// A corrected field loses its error message at once.
	catF.control.addEventListener('change', () => catF.setError(null));
	topicF.control.addEventListener('change', () => topicF.setError(null));
	regionF.control.addEventListener('change', () => regionF.setError(null));
	counterText();
	const files = attachBox(t('write.files'));

	// suggestions (POST /api/appeals/suggest); hidden when the service is not there
	const sugBox = h('section', { class: 'card suggest', 'aria-labelledby': 'sug-h', hidden: true });
	const sugLive = h('div', { 'aria-live': 'polite', 'aria-atomic': 'false' });
	sugBox.append(h('h2', { id: 'sug-h', text: t('suggest.title') }), sugLive);
	let sugTimer = 0, sugSeq = 0, sugOff = false;
	function scheduleSuggest() {
		clearTimeout(sugTimer);
		sugTimer = setTimeout(suggest, 500);
	}
	async function suggest() {
		const text = textF.control.value.trim();
		if (sugOff || text.length < 10) {
			if (!text)
				sugBox.hidden = true;
			return;
		}
		const my = ++sugSeq;
		const body = { text };
		const tid = Number(topicF.control.value), terr = territoryId();
		if (tid)
			body.topic_id = tid;
		if (terr)
			body.territory_id = terr;
		const lat = latF.get(), lon = lonF.get();
		if (Number.isFinite(lat) && Number.isFinite(lon)) {
			body.lat = lat;
			body.lon = lon;
		}
		let r;
		try {
			r = await fetch('/api/appeals/suggest', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
			if (r.status === 404 || r.status === 501 || r.status >= 500) {
				sugOff = true;
				sugBox.hidden = true;
				return;
			}
			if (!r.ok)
				return;
			r = await r.json();
		} catch {
			return;
		}
		if (my !== sugSeq)
			return;
		drawSuggest(r);
	}
	function drawSuggest(r) {
		clear(sugLive);
		const parts = [];
		const cur = Number(topicF.control.value);
		const tops = (r.topics || []).filter((x) => topicById.has(x.topic_id)).slice(0, 3);
		if (tops.length)
			parts.push(h('div', { class: 'sug-part' }, h('p', { class: 'strong', text: t('suggest.topics') }),
				h('ul', { class: 'plain chips' }, tops.map((x) => h('li', null, h('button', {
					type: 'button', class: `chip${x.topic_id === cur ? ' chip-on' : ''}`, 'aria-pressed': String(x.topic_id === cur),
					'aria-label': t('suggest.topicChip', { name: x.topic_name }), text: x.topic_name,
					onclick: () => { setTopic(x.topic_id); scheduleSuggest(); },
				}))))));
		if (r.org && r.org.org_name)
			parts.push(h('p', { class: 'sug-part sug-org', text: t('suggest.org', { org: r.org.org_name }) }));
		if (r.nearby && r.nearby.length)
			parts.push(h('div', { class: 'sug-part' }, h('p', { class: 'strong', text: t('suggest.nearby') }),
				h('ul', { class: 'plain sug-list' }, r.nearby.slice(0, 5).map((x) => h('li', { class: 'sug-item' },
					h('p', null, h('span', { class: 'strong', text: `№ ${x.id}` }), ' ', statusBadge(x.status), ' ', x.topic_name || ''),
					h('p', { class: 'sug-text', text: x.text }),
					x.address ? h('p', { class: 'muted', text: x.address }) : null,
					h('p', { class: 'muted', text: [x.distance_m != null ? `${Math.round(x.distance_m)} м` : null, fmtDate(x.created_at, false), plural('suggest.coauthors', x.coauthors || 0)].filter(Boolean).join(' · ') }),
					state.me ? h('button', { type: 'button', class: 'btn btn-small', 'aria-label': t('suggest.joinLabel', { id: x.id }), text: t('suggest.join', { id: x.id }),
						onclick: async (e) => {
							e.target.disabled = true;
							try {
								await api('POST', `/api/appeals/${x.id}/join`, {});
								announce(t('suggest.joined', { id: x.id }));
								go(`/appeals/${x.id}`);
							} catch (err) {
								e.target.disabled = false;
								showAlert(err.message);
							}
						} }) : null)))));
		if (r.answers && r.answers.length)
			parts.push(h('div', { class: 'sug-part' }, h('p', { class: 'strong', text: t('suggest.answers') }),
				h('ul', { class: 'plain sug-list' }, r.answers.slice(0, 3).map((x) => h('li', { class: 'sug-item' },
					h('p', { class: 'muted', text: t('suggest.answerOf', { id: x.appeal_id, topic: x.topic_name || '' }) }),
					h('p', { class: 'sug-text', text: x.text }))))));
		sugLive.append(...parts);
		sugBox.hidden = !parts.length;
	}

	const territoryId = () => Number(muniF.control.value) || Number(regionF.control.value) || null;
	const showAlert = (msg) => {
		clear(alertBox).append(msg || '');
		alertBox.hidden = !msg;
		if (msg)
			alertBox.focus();
	};
	const fieldFor = { text: textF, topic_id: topicF, category_id: catF, territory_id: regionF, region: regionF, lat: latF, lon: lonF, address: addrF, attachment_ids: files };
	const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: t('write.submit') });
	const form = h('form', { class: 'form write-form', novalidate: true, 'aria-labelledby': 'write-h1' },
		alertBox,
		h('fieldset', { class: 'card write-part' }, h('legend', { text: t('write.topicSection') }), catF.wrap, topicF.wrap, hintBox),
		h('fieldset', { class: 'card write-part' }, h('legend', { text: t('write.placeSection') }), regionF.wrap, muniF.wrap, pointBox, addrF.wrap),
		h('fieldset', { class: 'card write-part' }, h('legend', { text: t('write.textSection') }), textF.wrap, files.wrap),
		sugBox,
		h('div', { class: 'form-actions' }, submit));
	let busy = false;
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		if (busy)
			return;
		showAlert(null);
		Object.values(fieldFor).forEach((f) => f.setError(null));
		const text = textF.control.value.trim();
		const errs = [];
		if (!topicF.control.value)
			errs.push([topicF.control.disabled ? catF : topicF, t('write.topicRequired')]);
		const lat = latF.get(), lon = lonF.get();
		const hasPoint = lat != null && lon != null;
		if (!territoryId() && !hasPoint)
			errs.push([regionF, t('write.placeRequired')]);
		if (lat != null && !Number.isFinite(lat))
			errs.push([latF, t('err.number')]);
		if (lon != null && !Number.isFinite(lon))
			errs.push([lonF, t('err.number')]);
		if (!text)
			errs.push([textF, t('write.textRequired')]);
		else if (text.length > TEXT_MAX)
			errs.push([textF, t('write.tooLong', { max: TEXT_MAX })]);
		if (errs.length) {
			errs.forEach(([f, m]) => f.setError(m));
			errs[0][0].focus();
			return;
		}
		busy = true;
		submit.disabled = true;
		submit.textContent = t('write.busy');
		try {
			await files.settled();
			const body = { topic_id: Number(topicF.control.value), text, channel: widget ? 'widget' : 'web' };
			if (territoryId())
				body.territory_id = territoryId();
			if (hasPoint) {
				body.lat = lat;
				body.lon = lon;
			}
			if (addrF.get())
				body.address = addrF.get();
			if (files.ids().length)
				body.attachment_ids = files.ids();
			const a = await api('POST', '/api/appeals', body);
			announce(t('write.sent', { id: a.id }));
			go(`/appeals/${a.id}`);
		} catch (e) {
			const f = e instanceof ApiError && e.field && fieldFor[e.field];
			if (f) {
				f.setError(e.message);
				f.focus();
			} else
				showAlert(e.message || t('err.generic'));
		} finally {
			busy = false;
			submit.disabled = false;
			submit.textContent = t('write.submit');
		}
	});

	fillTopics(preTopic ? preTopic.id : null);
	await loadMunis(preMuni ? preMuni.id : null);
	return h('div', { class: 'page-write' }, h('h1', { id: 'write-h1', text: t('write.title') }), h('p', { class: 'lead', text: t('write.lead') }),
		widget ? h('p', { class: 'alert alert-info', text: t('write.widgetNote') }) : null,
		preOrg ? h('p', { class: 'muted', text: t('write.orgNote', { org: preOrg.name }) }) : null,
		form);
}

/* ---------- my appeals: #/appeals ---------- */

// A list of appeal cards (my appeals); each card links to the appeal page.
export function appealCards(items) {
	return h('ul', { class: 'plain appeal-cards' }, items.map((a) => h('li', { class: 'appeal-card card' },
		h('h2', { class: 'appeal-card-title' }, h('a', { href: `#/appeals/${a.id}`, text: t('work.open', { id: a.id }) }), ' ', statusBadge(a.status)),
		h('p', { class: 'muted', text: [a.topic_name, a.territory_name].filter(Boolean).join(' · ') }),
		h('p', { class: 'appeal-card-text', text: a.text }),
		h('dl', { class: 'facts facts-inline' },
			h('dt', { text: t('ap.created') }), h('dd', { text: fmtDate(a.created_at) }),
			h('dt', { text: t('ap.deadline') }), h('dd', null, deadlineNode(a))))));
}

// Prev/next paging for a list; load(offset) redraws.
export function pager(total, offset, limit, load) {
	if (total <= limit && offset === 0)
		return null;
	const to = Math.min(offset + limit, total);
	return h('nav', { class: 'pager', 'aria-label': t('common.pager') },
		h('button', { type: 'button', class: 'btn', disabled: offset === 0, text: `← ${t('common.prev')}`, onclick: () => load(Math.max(0, offset - limit)) }),
		h('p', { class: 'pager-info', text: t('common.shown', { from: total ? offset + 1 : 0, to, total }) }),
		h('button', { type: 'button', class: 'btn', disabled: to >= total, text: `${t('common.next')} →`, onclick: () => load(offset + limit) }));
}

async function pageMy() {
	const box = h('div', { class: 'my-list' });
	const load = async (offset) => {
		const r = await api('GET', `/api/appeals${qs({ queue: 'authored', limit: 50, offset })}`);
		clear(box);
		if (!r.items.length)
			box.append(h('p', { class: 'empty', text: t('my.empty') }));
		else
			add(box, [appealCards(r.items), pager(r.total, offset, 50, load)]);
	};
	await load(0);
	return h('div', { class: 'page-my' }, pageHead(t('my.title'), t('my.lead')),
		h('p', null, h('a', { class: 'btn btn-primary', href: '#/write', text: t('my.write') })), box);
}

/* ---------- the appeal page: #/appeals/{id} ---------- */

async function pageAppeal({ params }) {
	const id = Number(params[0]);
	let a;
	try {
		a = await api('GET', `/api/appeals/${id}`);
	} catch (e) {
		if (e instanceof ApiError && (e.status === 404 || e.status === 403))
			return messagePageText(t('ap.title', { id }), t('ap.notFound'));
		throw e;
	}
	const root = h('div', { class: 'page-appeal' });
	const alertBox = h('div', { class: 'alert alert-error', role: 'alert', tabindex: '-1', hidden: true });
	const ctx = {
		alert(msg) {
			clear(alertBox).append(msg || '');
			alertBox.hidden = !msg;
			if (msg)
				alertBox.focus();
		},
		async done(actionKey, next) {
			announce(t('ap.done', { action: t(`act.${actionKey}`) }));
			a = next || await api('GET', `/api/appeals/${id}`);
			draw(true);
			document.dispatchEvent(new CustomEvent('otklik:changed'));
		},
	};
	const draw = (keepHeading) => {
		const focusActions = keepHeading && root.contains(document.activeElement);
		add(clear(root), [appealView(a, alertBox, ctx)]);
		if (focusActions) {
			const hd = root.querySelector('#ap-status-h');
			if (hd)
				hd.focus();
		}
	};
	draw(false);
	return root;
}

function messagePageText(title, text) {
	return h('div', { class: 'page-narrow' }, h('h1', { text: title }), h('p', { class: 'alert alert-warn', role: 'alert', text }),
		h('p', null, h('a', { href: '#/appeals', text: t('my.title') })));
}

function fact(label, value) {
	return value == null || value === '' ? null : [h('dt', { text: label }), h('dd', null, value)];
}

function appealView(a, alertBox, ctx) {
	const staffView = 'assignee_id' in a || 'assignee_name' in a || 'person' in a;
	const deadlineNotes = [];
	if (a.paused)
		deadlineNotes.push(h('p', { class: 'alert alert-warn', text: t('ap.paused') }));
	if (a.extended)
		deadlineNotes.push(h('p', { class: 'alert alert-info', text: t('ap.extended', { reason: a.extension_reason || '—' }) }));
	if (a.status === 'rejected')
		deadlineNotes.push(h('p', { class: 'alert alert-warn', text: t('ap.rejected', { reason: a.reject_reason ? t(`reason.${a.reject_reason}`) : '—' }) }));
	if (a.status === 'merged' && a.merged_into != null)
		deadlineNotes.push(h('p', { class: 'alert alert-info' }, t('ap.merged'), h('a', { href: `#/appeals/${a.merged_into}`, text: `№ ${a.merged_into}` })));
	const facts = h('dl', { class: 'facts' },
		fact(t('ap.status'), statusBadge(a.status)),
		fact(t('ap.topic'), [a.category_name, a.topic_name].filter(Boolean).join(' / ')),
		fact(t('ap.territory'), a.territory_name),
		fact(t('ap.org'), a.org_name || t('ap.orgNone')),
		staffView ? fact(t('ap.assignee'), a.assignee_name || t('ap.assigneeNone')) : null,
		fact(t('ap.address'), a.address),
		a.lat != null && a.lon != null ? fact(t('ap.point'), `${a.lat}, ${a.lon}`) : null,
		fact(t('ap.created'), fmtDate(a.created_at)),
		fact(t('ap.deadline'), deadlineNode(a)),
		fact(t('ap.channel'), a.channel ? t(`channel.${a.channel}`) : null),
		staffView && a.author && a.author.name ? fact(t('ap.author'), a.author.name) : null,
		a.person && a.person.name ? fact(t('ap.person'), [a.person.name, a.person.contact].filter(Boolean).join(', ')) : null,
		a.coauthors ? fact(t('ap.coauthors'), String(a.coauthors)) : null);
	const atts = (a.attachments || []).length ? h('section', { class: 'ap-files', 'aria-labelledby': 'ap-files-h' }, h('h2', { id: 'ap-files-h', text: t('ap.files') }), fileLinks(a.attachments)) : null;
	const answers = h('section', { class: 'ap-answers', 'aria-labelledby': 'ap-ans-h' }, h('h2', { id: 'ap-ans-h', text: t('ap.answers') }),
		(a.answers || []).length ? h('ul', { class: 'plain answers' }, a.answers.map((x) => h('li', { class: `answer card answer-${x.kind}` },
			h('p', { class: 'answer-head' }, h('span', { class: 'strong', text: t(`ap.answer.${x.kind}`) }),
				x.state && x.state !== 'published' ? [' ', badge(t(`ap.answer.${x.state}`), 'warn')] : null),
			h('p', { class: 'answer-text', text: x.text }),
			(x.attachments || []).length ? fileLinks(x.attachments) : null,
			h('p', { class: 'muted small', text: t('ap.answerBy', { org: x.org_name || '', author: x.author_name || '', date: fmtDate(x.published_at || x.created_at) }) }))))
			: h('p', { class: 'muted', text: t('ap.noAnswers') }),
		a.rating ? h('p', { class: 'rating-done', text: t('ap.rating', { score: a.rating.score, solved: a.rating.solved ? t('ap.ratingSolved') : t('ap.ratingUnsolved') }) }) : null);
	const acts = actionsView(a, ctx, staffView);
	const timeline = h('section', { class: 'ap-timeline', 'aria-labelledby': 'ap-tl-h' }, h('h2', { id: 'ap-tl-h', text: t('ap.timeline') }),
		h('ol', { class: 'timeline' }, (a.timeline || []).map((e) => h('li', { class: `tl-item${e.public === false ? ' tl-internal' : ''}` },
			h('p', { class: 'tl-head' }, h('span', { class: 'strong', text: evName(e.kind) }),
				e.status_to && e.status_to !== e.status_from ? [' → ', statusBadge(e.status_to)] : null,
				e.public === false ? [' ', badge(t('ap.internal'), 'muted')] : null),
			e.text ? h('p', { class: 'tl-text', text: e.text }) : null,
			h('p', { class: 'muted small', text: [fmtDate(e.at), e.actor_name].filter(Boolean).join(' · ') })))));
	const routes = (a.routes || []).length ? h('section', { class: 'ap-routes', 'aria-labelledby': 'ap-rt-h' }, h('h2', { id: 'ap-rt-h', text: t('ap.routes') }),
		h('ol', { class: 'plain routes' }, a.routes.map((r) => h('li', { class: 'route-item' },
			h('p', null, h('span', { class: 'strong', text: r.from_org_name ? t('ap.routeLine', { from: r.from_org_name, to: r.to_org_name || t('ap.routeTriage') }) : (r.to_org_name || t('ap.routeTriage')) }), ' ',
				badge(t(`ap.route.${r.kind}`), 'muted')),
			r.reason ? h('p', { class: 'muted', text: r.reason }) : null,
			h('p', { class: 'muted small', text: fmtDate(r.at) }))))) : null;
	return [
		h('h1', { text: t('ap.title', { id: a.id }) }),
		h('div', { class: 'ap-grid' },
			h('div', { class: 'ap-main' },
				h('section', { class: 'card', 'aria-labelledby': 'ap-text-h' }, h('h2', { id: 'ap-text-h', class: 'sr-only', text: t('ap.text') }),
					h('p', { class: 'ap-text', text: a.text }), atts),
				answers, acts.node ? h('section', { class: 'card ap-actions', 'aria-labelledby': 'ap-act-h' },
					h('h2', { id: 'ap-act-h', text: t('ap.actions') }), alertBox, acts.node) : alertBox,
				staffView ? assistantView(a, ctx, acts.openAnswer) : null,
				timeline),
			h('aside', { class: 'ap-side card', 'aria-labelledby': 'ap-status-h' }, h('h2', { id: 'ap-status-h', tabindex: '-1', class: 'sr-only', text: t('ap.status') }),
				facts, deadlineNotes, routes)),
	];
}

/* ---------- the executor's assistant ---------- */

// Essence, facts, guidance, a draft answer and similar appeals; loaded when staff open it.
function assistantView(a, ctx, openAnswer) {
	const body = h('div', { class: 'assistant-body' });
	const box = h('details', { class: 'card ap-assistant' },
		h('summary', null, h('h2', { id: 'ap-asst-h', class: 'inline-h', text: t('asst.title') })), body);
	let loaded = false;
	box.addEventListener('toggle', async () => {
		if (!box.open || loaded)
			return;
		loaded = true;
		body.append(h('p', { class: 'muted', text: t('common.loading') }));
		let x;
		let sim;
		try {
			[x, sim] = await Promise.all([api('GET', `/api/appeals/${a.id}/assistant`), api('GET', `/api/appeals/${a.id}/similar`)]);
		} catch (e) {
			loaded = false;
			clear(body).append(h('p', { class: 'alert alert-error', role: 'alert', text: t('err.loadFailed', { message: e.message }) }));
			return;
		}
		const part = (title, ...content) => h('section', { class: 'asst-part' }, h('h3', { text: title }), ...content);
		const draftText = h('textarea', { class: 'asst-draft', rows: 10, 'aria-label': t('asst.draft') });
		draftText.value = x.draft.text;
		const facts = x.facts.length ? h('dl', { class: 'facts asst-facts' }, x.facts.map((f) => [
			h('dt', { text: t(`asst.fact.${f.kind}`) }), h('dd', { text: f.value && f.value !== f.text ? `${f.text} (${f.value})` : f.text })])) : h('p', { class: 'muted', text: t('asst.noFacts') });
		const items = (sim.items || []).slice(0, 5);
		clear(body).append(
			part(t('asst.essence'), x.essence.length ? h('ul', { class: 'asst-essence' }, x.essence.map((e) => h('li', { text: e }))) : h('p', { class: 'muted', text: t('asst.noEssence') })),
			part(t('asst.facts'), facts),
			x.guidance ? part(t('asst.guidance'), h('p', { text: x.guidance })) : null,
			part(t('asst.draft'),
				h('p', { class: 'muted small', text: x.draft.based_on ? t('asst.basedOn', { id: x.draft.based_on.appeal_id, rating: x.draft.based_on.rating ? t('asst.rated', { n: x.draft.based_on.rating }) : t('asst.unrated') }) : t('asst.template') }),
				x.draft.plain_changes.length ? h('p', { class: 'muted small', text: t('asst.plainChanges', { list: x.draft.plain_changes.map((c) => `«${c.from}» → «${c.to}»`).join(', ') }) }) : null,
				draftText,
				openAnswer ? h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'btn btn-primary', text: t('asst.use'), onclick: () => openAnswer(draftText.value) })) : null),
			part(t('asst.similar'), items.length ? h('ul', { class: 'plain asst-similar' }, items.map((i) => h('li', { class: 'sug-item' },
				h('p', null, h('a', { href: `#/appeals/${i.id}`, text: `№ ${i.id}` }), ' ', statusBadge(i.status), ' ', h('span', { class: 'muted', text: i.topic_name })),
				h('p', { text: i.text }),
				i.answer ? h('p', { class: 'asst-answer', text: t('asst.answer', { text: i.answer }) }) : null))) : h('p', { class: 'muted', text: t('asst.noSimilar') })));
	});
	return box;
}

const evName = (k) => {
	const v = t(`ev.${k}`);
	return v === `ev.${k}` ? k : v;
};

function fileLinks(list) {
	return h('ul', { class: 'plain file-links' }, list.map((f) => h('li', null,
		h('a', { href: `/api/attachments/${f.id}`, download: f.name || '', text: t('ap.download', { name: f.name || `№ ${f.id}`, size: kb(f.size) }) }))));
}

/* ---------- actions ---------- */

// Order in which the buttons appear.
const ACTION_ORDER = ['clarify', 'rating', 'join', 'route', 'start', 'answers', 'approve', 'return', 'rereview', 'clarification', 'assign', 'redirect', 'extend', 'notes', 'reject', 'merge'];
const DIRECT = new Set(['start', 'join']);

function actionsView(a, ctx, staffView) {
	// The server names the two kinds of answer separately (answer_interim, answer_final): one «Ответить» form.
	const allowed = new Set(a.allowed_actions || []);
	const kinds = ['final', 'interim'].filter((k) => allowed.has(`answer_${k}`) || allowed.has('answers'));
	if (kinds.length)
		allowed.add('answers');
	if (staffView || a.is_author || a.is_coauthor)
		allowed.delete('join');
	const list = ACTION_ORDER.filter((x) => allowed.has(x));
	if (!list.length)
		return { node: null };
	const panel = h('div', { class: 'action-panel' });
	const buttons = [];
	let answerBtn = null;
	let openKey = null;
	const post = async (action, body, key = action) => {
		const r = await api('POST', `/api/appeals/${a.id}/${action}`, body);
		await ctx.done(key, r && r.id ? r : null);
	};
	const toggle = (key, btn) => {
		ctx.alert(null);
		clear(panel);
		buttons.forEach((b) => b.setAttribute('aria-expanded', 'false'));
		if (openKey === key) {
			openKey = null;
			return;
		}
		openKey = key;
		btn.setAttribute('aria-expanded', 'true');
		panel.append(actionForm(key, a, post, kinds, () => { openKey = null; clear(panel); btn.setAttribute('aria-expanded', 'false'); btn.focus(); }));
		const first = panel.querySelector('input:not([type=hidden]):not(.file-native),select,textarea,button');
		if (first)
			first.focus();
	};
	for (const key of list.filter((k) => !DIRECT.has(k))) {
		const btn = h('button', { type: 'button', class: `btn${['answers', 'clarify', 'rating', 'approve', 'route'].includes(key) ? ' btn-primary' : ''}${key === 'reject' ? ' btn-danger-outline' : ''}`,
			'aria-expanded': 'false', 'aria-controls': 'action-panel', text: t(`act.${key}`) });
		btn.addEventListener('click', () => toggle(key, btn));
		buttons.push(btn);
		if (key === 'answers')
			answerBtn = btn;
	}
	panel.id = 'action-panel';
	// The assistant's "use this draft": opens the answer form (or fills it when open) with text.
	const openAnswer = answerBtn ? (text) => {
		if (openKey !== 'answers')
			toggle('answers', answerBtn);
		const area = panel.querySelector('textarea[name=text]');
		if (area) {
			area.value = text;
			area.focus();
		}
	} : null;
	return { node: h('div', null, directButtons(list, a, post, ctx), buttons.length ? h('div', { class: 'action-buttons' }, buttons) : null, panel), openAnswer };
}

// The one-click actions (start, join) get their own row so they are never hidden behind a form.
function directButtons(list, a, post, ctx) {
	const keys = list.filter((k) => DIRECT.has(k));
	if (!keys.length)
		return null;
	return h('div', { class: 'action-buttons action-direct' }, keys.map((key) => h('button', {
		type: 'button', class: 'btn btn-primary', text: t(`act.${key}`),
		onclick: async (e) => {
			ctx.alert(null);
			e.currentTarget.disabled = true;
			const b = e.currentTarget;
			try {
				await post(key, {});
			} catch (err) {
				b.disabled = false;
				ctx.alert(err.message);
			}
		},
	})));
}

const req = (name, label, extra = {}) => ({ name, label, type: 'textarea', rows: 3, required: true, maxlength: 4000, ...extra });
const opt = (name, label, extra = {}) => ({ name, label, type: 'textarea', rows: 2, maxlength: 4000, ...extra });

function actionForm(key, a, post, kinds, close) {
	const cancel = h('button', { type: 'button', class: 'btn', text: t('common.cancel'), onclick: close });
	const mk = (fields, toBody, { files, values } = {}) => {
		const box = files ? attachBox(t('write.files')) : null;
		const f = makeForm({
			fields, values, submitLabel: t('f.send'), busyLabel: t('common.saving'), extraButtons: [cancel], className: 'action-form',
			onSubmit: async (v) => {
				if (box)
					await box.settled();
				const body = toBody(v);
				if (box && box.ids().length)
					body.attachment_ids = box.ids();
				await post(key, body);
			},
		});
		if (box)
			f.form.querySelector('.form-actions').before(box.wrap);
		f.form.setAttribute('aria-label', t(`act.${key}`));
		return f;
	};
	const orgRef = (empty) => ({ name: 'org_id', label: t('f.org'), type: 'ref', required: !empty, ref: { coll: 'orgs', search: true, empty, label: orgLabel } });
	switch (key) {
	case 'route':
		return mk([orgRef(null), opt('comment', t('f.comment'))], (v) => ({ org_id: v.org_id, ...(v.comment ? { comment: v.comment } : {}) })).form;
	case 'assign': {
		const f = mk([{ name: 'user_id', label: t('f.userId'), type: 'number', required: true, narrow: true }], (v) => ({ user_id: v.user_id }));
		const me = h('button', { type: 'button', class: 'btn', text: t('f.assignMe'), onclick: async () => {
			try {
				await post('assign', { user_id: state.me.user.id });
			} catch (e) {
				f.showError(e);
			}
		} });
		f.form.querySelector('.form-actions').prepend(me);
		return f.form;
	}
	case 'redirect':
		return mk([orgRef(t('f.orgTriage')), req('reason', t('f.reason'))], (v) => ({ org_id: v.org_id, reason: v.reason })).form;
	case 'notes':
		return mk([req('text', t('f.note'))], (v) => ({ text: v.text })).form;
	case 'answers':
		return mk([
			{ name: 'kind', label: t('f.answerKind'), type: 'radio', required: true, options: kinds.map((k) => [k, t(`f.kind.${k}`)]) },
			req('text', t('f.answerText'), { rows: 6 }),
		], (v) => ({ kind: v.kind, text: v.text }), { files: true, values: { kind: kinds[0] } }).form;
	case 'clarification':
		return mk([req('text', t('f.question'))], (v) => ({ text: v.text })).form;
	case 'clarify':
		return mk([req('text', t('f.clarifyText'), { rows: 5 })], (v) => ({ text: v.text }), { files: true }).form;
	case 'extend':
		return mk([{ name: 'days', label: t('f.days'), hint: t('f.daysHint'), type: 'number', required: true, narrow: true }, req('reason', t('f.reason'))],
			(v) => ({ days: v.days, reason: v.reason })).form;
	case 'reject':
		return mk([
			{ name: 'reason', label: t('f.rejectReason'), type: 'select', required: true, options: [['', t('common.choose')], ...['abusive', 'not_an_appeal', 'no_content', 'repeated', 'not_competent'].map((r) => [r, t(`reason.${r}`)])] },
			opt('comment', t('f.comment')),
		], (v) => ({ reason: v.reason, ...(v.comment ? { comment: v.comment } : {}) })).form;
	case 'merge':
		return mk([{ name: 'into_id', label: t('f.intoId'), type: 'number', required: true, narrow: true }], (v) => ({ into_id: v.into_id })).form;
	case 'approve':
		return mk([opt('comment', t('f.comment'))], (v) => (v.comment ? { comment: v.comment } : {})).form;
	case 'return':
		return mk([req('comment', t('f.commentOpt'))], (v) => ({ comment: v.comment })).form;
	case 'rereview':
		return mk([req('comment', t('f.rereviewComment'))], (v) => ({ decision: 'uphold', comment: v.comment })).form;
	case 'rating':
		return ratingForm(mk);
	default:
		return h('p', { text: key });
	}
}

function ratingForm(mk) {
	let score = 0;
	const gid = uid('score');
	const stars = [1, 2, 3, 4, 5].map((n) => h('button', {
		type: 'button', class: 'star', 'aria-pressed': 'false', 'aria-label': t('f.scoreStar', { n }), text: '★',
		onclick: () => {
			score = n;
			stars.forEach((s, i) => { s.setAttribute('aria-pressed', String(i + 1 === n)); s.classList.toggle('star-on', i < n); });
		},
	}));
	const f = mk([
		{ name: 'solved', label: t('f.solved'), type: 'radio', required: true, options: [['yes', t('f.solvedYes')], ['no', t('f.solvedNo')]] },
		opt('comment', t('f.comment')),
	], (v) => {
		if (!score)
			throw new ApiError(422, 'validation_failed', t('f.scoreRequired'), 'score');
		return { score, solved: v.solved === 'yes', ...(v.comment ? { comment: v.comment } : {}) };
	});
	const group = h('div', { class: 'field' }, h('p', { class: 'strong', id: gid, text: t('f.score') }),
		h('div', { class: 'stars', role: 'group', 'aria-labelledby': gid }, stars));
	f.form.querySelector('.field').before(group);
	return f.form;
}

/* ---------- routes ---------- */

addRoute('/write', { page: pageWrite, auth: true });
addRoute('/appeals', { page: pageMy, auth: true });
addRoute(/^\/appeals\/(\d+)$/, { page: pageAppeal, auth: true });
