/*
 * comp_valid_names: import and export names (Explainer.md "Import and
 * Export Definitions", "Name Uniqueness", "Canonical Interface Name";
 * Binary.md notes on nameattributes): kebab-case labels, plain names with
 * [constructor]/[method]/[static], interface names with semver versions,
 * name attributes, strong uniqueness, and the resource a constructor,
 * method or static function belongs to.  Legacy dependency names (locked-
 * dep=, unlocked-dep=, url=, integrity=) are accepted, see dep_name_ok.
 */
#include "comp_valid.h"

#include <stdlib.h>
#include <string.h>

/* ---- labels and names ------------------------------------------------- */

static bool
is_lower(uint8_t c)
{
	return c >= 'a' && c <= 'z';
}

static bool
is_upper(uint8_t c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* label ::= first-fragment ( '-' fragment )*, each fragment all-lower
 * (digits allowed) or all-upper; the first starts with a letter. */
static bool
label_ok(const uint8_t *p, size_t n, bool lower_only)
{
	size_t i = 0;
	bool first = true;
	while (true) {
		size_t start = i;
		bool lower = false, upper = false;
		for (; i < n && p[i] != '-'; i++) {
			if (is_lower(p[i]))
				lower = true;
			else if (is_upper(p[i]))
				upper = true;
			else if (!is_digit(p[i]))
				return false;
		}
		if (i == start || (lower && upper) || (lower_only && upper))
			return false;
		if (first && !is_lower(p[start]) && !is_upper(p[start]))
			return false;
		first = false;
		if (i == n)
			return true;
		i++; /* '-' */
	}
}

bool
valid_label(struct bin_name n)
{
	return n.len > 0 && label_ok(n.p, n.len, false);
}

static bool
numeric_ident(const uint8_t *p, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return false;
	}
	return n == 1 || p[0] != '0';
}

static bool
ident_char(uint8_t c)
{
	return is_lower(c) || is_upper(c) || is_digit(c) || c == '-';
}

/* Dot-separated identifiers of a pre-release (numeric ones unpadded). */
static bool
semver_idents(const uint8_t *p, size_t n, bool check_numeric)
{
	size_t i = 0;
	while (true) {
		size_t start = i;
		bool all_digits = true;
		for (; i < n && p[i] != '.'; i++) {
			if (!ident_char(p[i]))
				return false;
			all_digits = all_digits && is_digit(p[i]);
		}
		if (i == start)
			return false;
		if (check_numeric && all_digits && !numeric_ident(p + start, i - start))
			return false;
		if (i == n)
			return true;
		i++;
	}
}

/* major.minor.patch(-pre)?(+build)? (semver.org 2.0.0). */
static bool
semver_ok(const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (int part = 0; part < 3; part++) {
		size_t start = i;
		while (i < n && is_digit(p[i]))
			i++;
		if (!numeric_ident(p + start, i - start))
			return false;
		if (part < 2) {
			if (i == n || p[i] != '.')
				return false;
			i++;
		}
	}
	size_t plus = n;
	for (size_t k = i; k < n; k++) {
		if (p[k] == '+') {
			plus = k;
			break;
		}
	}
	if (i < plus) {
		if (p[i] != '-' || !semver_idents(p + i + 1, plus - i - 1, true))
			return false;
	}
	return plus == n || semver_idents(p + plus + 1, n - plus - 1, false);
}

/* canonversion: "N" (N>0), "0.N", "0.0.N", or "0.0.0"... as Explainer.md. */
static bool
canonversion_ok(const uint8_t *p, size_t n)
{
	size_t zeros = 0;
	while (zeros < 2 && n >= 2 * (zeros + 1) && p[2 * zeros] == '0' &&
	       p[2 * zeros + 1] == '.')
		zeros++;
	const uint8_t *q = p + 2 * zeros;
	size_t m = n - 2 * zeros;
	if (!numeric_ident(q, m))
		return false;
	return q[0] != '0' || zeros == 2;
}

struct iface_parts {
	bool has_version;
	bool canon_version;
	const uint8_t *version;
	size_t version_len;
	bool nested;      /* nested namespaces and projections allowed (🪺) */
	const char *why;  /* what is wrong, when known */
	const uint8_t *rest; /* trailing characters (why == NULL) */
	size_t rest_len;
};

/* namespace+ words projection+ ('@' version)? */
static bool
interface_name_ok(const uint8_t *p, size_t n, struct iface_parts *out)
{
	const uint8_t *at = memchr(p, '@', n);
	size_t path_len = at ? (size_t)(at - p) : n;
	out->has_version = at != NULL;
	out->canon_version = false;
	out->why = NULL;
	out->rest = NULL;
	out->version = at ? at + 1 : NULL;
	out->version_len = at ? n - path_len - 1 : 0;
	if (at) {
		const uint8_t *v = at + 1;
		size_t vn = n - path_len - 1;
		out->canon_version = canonversion_ok(v, vn);
		if (!out->canon_version && !semver_ok(v, vn))
			return false;
	}
	/* namespaces: every ':'-separated part but the last */
	size_t i = 0, nns = 0;
	const uint8_t *colon;
	while ((colon = memchr(p + i, ':', path_len - i)) != NULL) {
		size_t len = (size_t)(colon - (p + i));
		if (len == 0 || !label_ok(p + i, len, true) || !is_lower(p[i]))
			return false;
		i += len + 1;
		nns++;
	}
	if (nns == 0)
		return false;
	if (nns > 1 && !out->nested) {
		out->why = "expected `/` after package name";
		return false;
	}
	const uint8_t *slash = memchr(p + i, '/', path_len - i);
	if (!slash)
		return false;
	size_t pkg = (size_t)(slash - (p + i));
	if (pkg == 0 || !label_ok(p + i, pkg, true) || !is_lower(p[i]))
		return false;
	i += pkg;
	for (unsigned k = 0; i < path_len; k++) { /* '/' label, one or more */
		if (k == 1 && !out->nested) {
			out->rest = p + i;
			out->rest_len = path_len - i;
			return false;
		}
		i++;
		const uint8_t *next = memchr(p + i, '/', path_len - i);
		size_t len = next ? (size_t)(next - (p + i)) : path_len - i;
		if (len == 0 || !label_ok(p + i, len, false))
			return false;
		i += len;
	}
	return true;
}

/* ---- legacy dependency names ------------------------------------------ */

/*
 * Names from earlier versions of the explainer that wasm-tools still
 * accepts and composers (wasm-compose) still write:
 *   unlocked-dep=<pkgpath(@* | @{range})?>
 *   locked-dep=<pkgpath(@semver)?>(,integrity=<...>)?
 *   url=<...>(,integrity=<...>)?
 *   integrity=<...>
 * They are not in this version of the spec; they are accepted so that
 * such components can still be inspected and fused.
 */
struct cursor {
	const uint8_t *p, *end;
};

static bool
eat(struct cursor *c, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* Up to (not including) the byte `stop`; false if it never comes. */
static bool
take_until(struct cursor *c, uint8_t stop, struct cursor *out)
{
	const uint8_t *q = memchr(c->p, stop, (size_t)(c->end - c->p));
	if (!q)
		return false;
	out->p = c->p;
	out->end = q;
	c->p = q;
	return true;
}

/* namespace ':' package, more ':' or '/' segments allowed (nested names). */
static bool
pkgpath_ok(const uint8_t *p, size_t n)
{
	const uint8_t *colon = memchr(p, ':', n);
	if (!colon)
		return false;
	size_t i = 0;
	bool any_colon = false;
	while (i <= n) {
		size_t start = i;
		while (i < n && p[i] != ':' && p[i] != '/')
			i++;
		if (i == start || !label_ok(p + start, i - start, true) ||
		    !is_lower(p[start]))
			return false;
		if (i == n)
			return any_colon;
		any_colon = any_colon || p[i] == ':';
		i++;
	}
	return false;
}

static bool
range_ok(const uint8_t *p, size_t n)
{
	struct cursor c = {p, p + n};
	bool any = false;
	if (eat(&c, ">=")) {
		const uint8_t *sp = memchr(c.p, ' ', (size_t)(c.end - c.p));
		const uint8_t *e = sp ? sp : c.end;
		if (!semver_ok(c.p, (size_t)(e - c.p)))
			return false;
		c.p = sp ? sp + 1 : c.end;
		any = true;
	}
	if (eat(&c, "<")) {
		if (!semver_ok(c.p, (size_t)(c.end - c.p)))
			return false;
		c.p = c.end;
		any = true;
	}
	return any && c.p == c.end;
}

/* base64 as wasm-tools takes it: data, then at most two `=` of padding. */
static bool
base64_ok(const uint8_t *p, size_t n)
{
	size_t data = 0, pad = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || !(is_lower(c) || is_upper(c) || is_digit(c) || c == '+' || c == '/'))
			return false;
		data++;
	}
	return data > 0 && pad <= 2;
}

/* integrity metadata: whitespace-separated sha256-, sha384-, sha512- hashes. */
static bool
hash_ok(struct cursor *c)
{
	struct cursor h;
	if (!eat(c, "integrity=<") || !take_until(c, '>', &h))
		return false;
	c->p++;
	bool any = false;
	while (h.p < h.end) {
		if (*h.p == ' ') {
			h.p++;
			continue;
		}
		if (!eat(&h, "sha256-") && !eat(&h, "sha384-") && !eat(&h, "sha512-"))
			return false;
		const uint8_t *start = h.p, *opts;
		while (h.p < h.end && *h.p != ' ')
			h.p++;
		/* SRI: the digest, then optional `?options` */
		opts = memchr(start, '?', (size_t)(h.p - start));
		if (!base64_ok(start, (size_t)((opts ? opts : h.p) - start)))
			return false;
		any = true;
	}
	return any;
}

static bool
dep_name_ok(struct bin_name n)
{
	struct cursor c = {n.p, n.p + n.len}, in;
	if (eat(&c, "integrity=")) {
		c.p = n.p;
		return hash_ok(&c) && c.p == c.end;
	}
	bool unlocked = eat(&c, "unlocked-dep=<");
	bool locked = !unlocked && eat(&c, "locked-dep=<");
	bool url = !unlocked && !locked && eat(&c, "url=<");
	if (!unlocked && !locked && !url)
		return false;
	if (unlocked) {
		/* a version range may itself hold '<' and '>': the name ends at '>' */
		if (c.end == c.p || c.end[-1] != '>')
			return false;
		in.p = c.p;
		in.end = c.end - 1;
		c.p = c.end;
	} else if (!take_until(&c, '>', &in)) {
		return false;
	} else {
		c.p++;
	}
	if (url) {
		if (memchr(in.p, '<', (size_t)(in.end - in.p)))
			return false;
	} else {
		const uint8_t *at = memchr(in.p, '@', (size_t)(in.end - in.p));
		const uint8_t *pe = at ? at : in.end;
		if (!pkgpath_ok(in.p, (size_t)(pe - in.p)))
			return false;
		if (at) {
			struct cursor v = {at + 1, in.end};
			bool ok = unlocked ? (eat(&v, "*") && v.p == v.end) ||
						     (eat(&v, "{") && v.end > v.p &&
						      v.end[-1] == '}' &&
						      range_ok(v.p, (size_t)(v.end - v.p - 1)))
					   : semver_ok(v.p, (size_t)(v.end - v.p));
			if (!ok)
				return false;
		}
	}
	if (c.p == c.end)
		return true;
	return !unlocked && eat(&c, ",") && hash_ok(&c) && c.p == c.end;
}

enum plain_kind { PLAIN_LABEL, PLAIN_CONSTRUCTOR, PLAIN_METHOD, PLAIN_STATIC };

struct plain_parts {
	enum plain_kind kind;
	struct bin_name resource, item;
};

static bool
has_prefix(struct bin_name n, const char *pre, struct bin_name *rest)
{
	size_t k = strlen(pre);
	if (n.len < k || memcmp(n.p, pre, k) != 0)
		return false;
	rest->p = n.p + k;
	rest->len = n.len - (uint32_t)k;
	return true;
}

static bool
plain_name_ok(struct bin_name n, struct plain_parts *out)
{
	struct bin_name rest;
	memset(out, 0, sizeof *out);
	if (has_prefix(n, "[constructor]", &rest)) {
		out->kind = PLAIN_CONSTRUCTOR;
		out->resource = rest;
		return valid_label(rest);
	}
	bool method = has_prefix(n, "[method]", &rest);
	if (!method && !has_prefix(n, "[static]", &rest)) {
		out->kind = PLAIN_LABEL;
		out->item = n;
		return valid_label(n);
	}
	out->kind = method ? PLAIN_METHOD : PLAIN_STATIC;
	const uint8_t *dot = memchr(rest.p, '.', rest.len);
	if (!dot)
		return false;
	out->resource.p = rest.p;
	out->resource.len = (uint32_t)(dot - rest.p);
	out->item.p = dot + 1;
	out->item.len = rest.len - out->resource.len - 1;
	return valid_label(out->resource) && valid_label(out->item);
}

/* ---- strong uniqueness ----------------------------------------------- */

struct canon_name {
	uint8_t *p;
	uint32_t len;
	uint32_t order;
	const struct comp_extern_name *name;
};

static void
canonicalize(struct canon_name *c)
{
	if (dep_name_ok(c->name->name))
		return; /* compared as written */
	for (uint32_t i = 0; i < c->len; i++) {
		if (is_upper(c->p[i]))
			c->p[i] = (uint8_t)(c->p[i] - 'A' + 'a');
	}
	struct bin_name n = {c->p, c->len}, rest;
	if (!has_prefix(n, "[method]", &rest) && !has_prefix(n, "[static]", &rest))
		return;
	const uint8_t *dot = memchr(rest.p, '.', rest.len);
	c->p = (uint8_t *)rest.p;
	c->len = rest.len;
	if (dot && (uint32_t)(dot - rest.p) * 2 + 1 == rest.len &&
	    memcmp(rest.p, dot + 1, (size_t)(dot - rest.p)) == 0)
		c->len = (uint32_t)(dot - rest.p);
}

static int
canon_cmp(const void *a, const void *b)
{
	const struct canon_name *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int c = n ? memcmp(x->p, y->p, n) : 0;
	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

enum meld_status
valid_names_unique(struct vctx *v, const struct valid_names *names,
		   const char *what)
{
	size_t n = names->n;
	if (n < 2)
		return MELD_OK;
	struct canon_name *c = arena_alloc_array(v->arena, n, sizeof *c);
	if (!c)
		return valid_oom(v);
	for (size_t i = 0; i < n; i++) {
		c[i].name = names->names[i];
		c[i].len = c[i].name->name.len;
		c[i].order = (uint32_t)i;
		c[i].p = arena_dup(v->arena, c[i].name->name.p, c[i].len + 1);
		if (!c[i].p)
			return valid_oom(v);
		canonicalize(&c[i]);
	}
	qsort(c, n, sizeof *c, canon_cmp);
	for (size_t i = 1; i < n; i++) {
		if (c[i].len != c[i - 1].len ||
		    (c[i].len && memcmp(c[i].p, c[i - 1].p, c[i].len) != 0))
			continue;
		const struct comp_extern_name *later = c[i].name, *first = c[i - 1].name;
		return valid_fail(v, later->offset,
				  "%s name `%.*s` conflicts with previous name `%.*s`",
				  what, (int)later->name.len, (const char *)later->name.p,
				  (int)first->name.len, (const char *)first->name.p);
	}
	return MELD_OK;
}

/* ---- resources named by [constructor]/[method]/[static] ---------------- */

bool
valid_is_resource(struct comp_item *it)
{
	it = comp_item_canon(it);
	return it && (it->kind == COMP_ITEM_RESOURCE ||
		      (it->kind == COMP_ITEM_TYPE && it->def &&
		       it->def->kind == COMP_TYPE_RESOURCE));
}

const struct comp_functype *
valid_functype_of(struct comp_item *t)
{
	if (!t || t->kind != COMP_ITEM_TYPE || !t->def ||
	    t->def->kind != COMP_TYPE_FUNC)
		return NULL;
	return &t->def->func;
}

/* The resource a handle type names, or NULL; *kind gets OWN/BORROW. */
static struct comp_item *
handle_resource(struct comp_scope *s, struct comp_valtype vt,
		enum comp_defval_kind *kind, bool nested)
{
	struct comp_item *t = comp_scope_valtype(s, vt);
	if (!t || t->kind != COMP_ITEM_TYPE || !t->def ||
	    t->def->kind != COMP_TYPE_DEFVAL)
		return NULL;
	const struct comp_defval *dv = &t->def->defval;
	*kind = dv->kind;
	if (dv->kind == COMP_DEFVAL_RESULT && dv->result.has_ok && !nested)
		return handle_resource(t->scope, dv->result.ok, kind, true);
	if (dv->kind != COMP_DEFVAL_OWN && dv->kind != COMP_DEFVAL_BORROW)
		return NULL;
	return comp_scope_get(t->scope, COMP_SPACE_TYPE, dv->resource_typeidx);
}

static struct comp_item *
find_resource(const struct valid_names *prev, struct bin_name r)
{
	for (size_t i = prev->n; i-- > 0;) {
		struct bin_name n = prev->names[i]->name;
		if (prev->spaces[i] == COMP_SPACE_TYPE && n.len == r.len &&
		    memcmp(n.p, r.p, r.len) == 0 && valid_is_resource(prev->items[i]))
			return prev->items[i];
	}
	return NULL;
}

static enum meld_status
check_resource_func(struct vctx *v, const struct valid_names *prev,
		    const struct comp_extern_name *n, enum comp_space sp,
		    struct comp_item *item, const struct plain_parts *pp)
{
	if (sp != COMP_SPACE_FUNC)
		return valid_fail(v, n->offset, "name `%.*s` is not a function",
				  (int)n->name.len, (const char *)n->name.p);
	if (prev->no_resources)
		return valid_fail(v, n->offset, pp->kind == PLAIN_STATIC
				  ? "static resource name is not known in this context"
				  : "resource used in function does not have a name in this context");
	struct comp_item *res = find_resource(prev, pp->resource);
	if (!res)
		return valid_fail(v, n->offset,
				  "resource used in function `%.*s` is not a preceding resource",
				  (int)n->name.len, (const char *)n->name.p);
	const struct comp_functype *ft =
		item && item->kind == COMP_ITEM_FUNC ? valid_functype_of(item->type) : NULL;
	if (!ft)
		return MELD_OK;
	struct comp_scope *s = item->type->scope;
	enum comp_defval_kind hk = COMP_DEFVAL_PRIM;
	if (pp->kind == PLAIN_CONSTRUCTOR) {
		if (ft->async)
			return valid_fail(v, n->offset, "constructor function cannot be async");
		struct comp_item *r = ft->has_result ? handle_resource(s, ft->result, &hk, false) : NULL;
		if (!r || hk != COMP_DEFVAL_OWN || !comp_item_same(r, res))
			return valid_fail(v, n->offset,
					  "function `%.*s` should return `(own $T)` or `(result (own $T))`",
					  (int)n->name.len, (const char *)n->name.p);
	} else if (pp->kind == PLAIN_METHOD) {
		struct comp_item *r = ft->nparams ? handle_resource(s, ft->params[0].type, &hk, true) : NULL;
		if (!ft->nparams || !bin_name_eq(ft->params[0].label, "self") || !r ||
		    hk != COMP_DEFVAL_BORROW || !comp_item_same(r, res))
			return valid_fail(v, n->offset,
					  "method `%.*s` should have a first parameter `self` of type `(borrow $T)`",
					  (int)n->name.len, (const char *)n->name.p);
	}
	return MELD_OK;
}

static enum meld_status
push_name(struct vctx *v, struct valid_names *prev,
	  const struct comp_extern_name *n, enum comp_space sp,
	  struct comp_item *item)
{
	size_t len = prev->n;
	const struct comp_extern_name **np =
		arena_push(v->arena, (void **)&prev->names, &prev->n, &prev->cap,
			   sizeof *np);
	size_t len2 = len;
	enum comp_space *spp = arena_push(v->arena, (void **)&prev->spaces,
					  &len2, &prev->spaces_cap, sizeof *spp);
	size_t len3 = len;
	struct comp_item **ip = arena_push(v->arena, (void **)&prev->items,
					   &len3, &prev->items_cap, sizeof *ip);
	if (!np || !spp || !ip)
		return valid_oom(v);
	*np = n;
	*spp = sp;
	*ip = item;
	return MELD_OK;
}

/* A canonical version and a version suffix make a semver version. */
static bool
suffixed_version_ok(struct vctx *v, const struct iface_parts *ip, struct bin_name vs)
{
	size_t n = ip->version_len + vs.len;
	uint8_t *buf = arena_alloc(v->arena, n + 1);
	if (!buf)
		return true;
	memcpy(buf, ip->version, ip->version_len);
	if (vs.len)
		memcpy(buf + ip->version_len, vs.p, vs.len);
	return semver_ok(buf, n);
}

static enum meld_status
check_attributes(struct vctx *v, const struct comp_extern_name *n,
		 enum comp_space sp, bool iface, const struct iface_parts *ip)
{
	if (n->duplicate_attribute)
		return valid_fail(v, n->offset, "duplicate name attribute");
	struct iface_parts tmp;
	memset(&tmp, 0, sizeof tmp);
	tmp.nested = ip->nested;
	if (n->has_implements) {
		if (iface)
			return valid_fail(v, n->offset, "name `%.*s` is not valid with `implements`",
					  (int)n->name.len, (const char *)n->name.p);
		if (sp != COMP_SPACE_INSTANCE)
			return valid_fail(v, n->offset, "only instances can have an `implements`");
		if (!interface_name_ok(n->implements.p, n->implements.len, &tmp))
			return valid_fail(v, n->offset, "name `%.*s` must be an interface",
					  (int)n->implements.len, (const char *)n->implements.p);
	}
	if (n->has_version_suffix) {
		if (sp != COMP_SPACE_INSTANCE)
			return valid_fail(v, n->offset, "only instances can have an `versionsuffix`");
		if (!iface || !ip->canon_version ||
		    !suffixed_version_ok(v, ip, n->version_suffix))
			return valid_fail(v, n->offset,
					  "invalid interface version: `%.*s` with version suffix `%.*s` is not a semver version",
					  (int)n->name.len, (const char *)n->name.p,
					  (int)n->version_suffix.len,
					  (const char *)n->version_suffix.p);
	}
	return MELD_OK;
}

static enum meld_status
bad_interface_name(struct vctx *v, const struct comp_extern_name *n,
		   const struct iface_parts *ip, bool is_import)
{
	const char *kind = is_import ? "import" : "export";
	int len = (int)n->name.len;
	const char *p = (const char *)n->name.p;
	if (ip->why)
		return valid_fail(v, n->offset, "%s name `%.*s` is not a valid extern name: %s",
				  kind, len, p, ip->why);
	if (ip->rest)
		return valid_fail(v, n->offset,
				  "%s name `%.*s` is not a valid extern name: trailing characters found: `%.*s`",
				  kind, len, p, (int)ip->rest_len, (const char *)ip->rest);
	return valid_fail(v, n->offset, "%s name `%.*s` is not a valid extern name",
			  kind, len, p);
}

enum meld_status
valid_extern_name(struct vctx *v, struct comp_scope *s,
		  struct valid_names *prev, const struct comp_extern_name *n,
		  enum comp_space sp, struct comp_item *item, bool is_import)
{
	(void)s;
	struct iface_parts ip;
	struct plain_parts pp;
	memset(&ip, 0, sizeof ip);
	ip.nested = (v->features & VALID_F_NESTED_NAMES) != 0;
	if (dep_name_ok(n->name)) {
		if (!is_import)
			return valid_fail(v, n->offset, "name `%.*s` is not a valid export name",
					  (int)n->name.len, (const char *)n->name.p);
		enum meld_status dst = check_attributes(v, n, sp, false, &ip);
		return dst == MELD_OK ? push_name(v, prev, n, sp, item) : dst;
	}
	bool iface = memchr(n->name.p, ':', n->name.len) != NULL;
	if (iface && !interface_name_ok(n->name.p, n->name.len, &ip))
		return bad_interface_name(v, n, &ip, is_import);
	if (!iface && !plain_name_ok(n->name, &pp))
		return valid_fail(v, n->offset,
				  "%s name `%.*s` is not a valid extern name (not in kebab case?)",
				  is_import ? "import" : "export", (int)n->name.len,
				  (const char *)n->name.p);
	enum meld_status st = check_attributes(v, n, sp, iface, &ip);
	if (st == MELD_OK && !iface && pp.kind != PLAIN_LABEL)
		st = check_resource_func(v, prev, n, sp, item, &pp);
	return st == MELD_OK ? push_name(v, prev, n, sp, item) : st;
}
