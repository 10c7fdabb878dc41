// widget.js: the embeddable «Сообщить о проблеме» button for any site. One tag:
//   <script src="https://HOST/static/widget.js" data-org="CODE" data-territory="CODE" data-topic="CODE" data-label="…" async></script>
// It inserts a button (styled through element.style: no external CSS, no inline <style>, so it works under the host
// page's CSP as long as this script is allowed) that opens HOST/#/write?widget=1&… in a popup (a new tab on phones).
(function () {
	'use strict';
	// document.currentScript is null for async scripts run late in some browsers: find our tag by its src as well.
	var me = document.currentScript;
	if (!me || !/\/static\/widget\.js(\?|#|$)/.test(me.src)) {
		var all = document.querySelectorAll('script[src*="/static/widget.js"]');
		for (var i = 0; i < all.length; i++)
			if (!all[i].getAttribute('data-otklik-done')) {
				me = all[i];
				break;
			}
	}
	if (!me || me.getAttribute('data-otklik-done'))
		return;
	me.setAttribute('data-otklik-done', '1');
	var host = new URL(me.src, document.baseURI).origin;
	var d = me.dataset || {};
	var label = d.label || 'Сообщить о проблеме';
	var params = ['widget=1'];
	['territory', 'topic', 'org'].forEach(function (k) {
		if (d[k])
			params.push(k + '=' + encodeURIComponent(d[k]));
	});
	var target = host + '/#/write?' + params.join('&');

	var btn = document.createElement('button');
	btn.type = 'button';
	btn.className = 'otklik-widget-button';
	btn.textContent = label;
	btn.setAttribute('aria-haspopup', 'dialog');
	var st = btn.style;
	st.font = '600 16px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
	st.color = '#ffffff';
	st.background = '#1d4f91';
	st.border = '2px solid #1d4f91';
	st.borderRadius = '8px';
	st.padding = '12px 18px';
	st.minHeight = '44px';
	st.cursor = 'pointer';
	st.boxShadow = '0 2px 6px rgba(10, 25, 50, .25)';
	btn.addEventListener('mouseenter', function () { st.background = '#143a6c'; });
	btn.addEventListener('mouseleave', function () { st.background = '#1d4f91'; });
	btn.addEventListener('focus', function () { st.outline = '3px solid #f2b705'; st.outlineOffset = '2px'; });
	btn.addEventListener('blur', function () { st.outline = ''; });

	var phone = (window.matchMedia && window.matchMedia('(max-width: 600px)').matches) || /Mobi|Android/i.test(navigator.userAgent);
	btn.addEventListener('click', function () {
		var w = null;
		if (phone) {
			w = window.open(target, '_blank');
		} else {
			var width = 760, height = Math.min(900, (screen.availHeight || 900) - 40);
			var left = Math.max(0, ((screen.availWidth || width) - width) / 2), top = 20;
			w = window.open(target, 'otklik-widget', 'popup=yes,width=' + width + ',height=' + height + ',left=' + left + ',top=' + top);
		}
		if (!w)
			window.location.href = target; // a popup blocker: go there in this tab
		else if (w.focus)
			w.focus();
	});
	// The button goes where the tag is (or at the end of <body> when the tag is in <head>).
	if (me.parentNode && me.parentNode !== document.head)
		me.parentNode.insertBefore(btn, me.nextSibling);
	else if (document.body)
		document.body.appendChild(btn);
	else
		document.addEventListener('DOMContentLoaded', function () { document.body.appendChild(btn); });
})();
