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

#include <stdio.h>
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

/* A label, or why not ("`x` is not in kebab case" as wasm-tools says). */
static bool
label_check(const uint8_t *p, size_t n, bool lower_only, struct verr *e)
{
	if (n > 0 && label_ok(p, n, lower_only))
		return true;
	for (size_t i = 0; lower_only && i < n; i++) {
		if (is_upper(p[i]))
			return verr_fail(e, "character `%c` is not lowercase in package name/namespace",
					 p[i]);
	}
	return verr_fail(e, "`%.*s` is not in kebab case", (int)n, (const char *)p);
}

static void
quote_char(uint8_t c, char *buf, size_t n)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "'\\x%02x'", c);
}

/* Dot-separated identifiers of a pre-release or build metadata. */
static bool
semver_idents(const uint8_t *p, size_t n, bool pre, struct verr *e)
{
	const char *where = pre ? "pre-release identifier" : "build metadata";
	char q[8];
	size_t i = 0;
	while (true) {
		size_t start = i;
		bool all_digits = true;
		for (; i < n && p[i] != '.'; i++) {
			if (!ident_char(p[i])) {
				quote_char(p[i], q, sizeof q);
				return verr_fail(e, "unexpected character %s in %s", q, where);
			}
			all_digits = all_digits && is_digit(p[i]);
		}
		if (i == start)
			return verr_fail(e, "empty identifier segment in %s", where);
		if (pre && all_digits && !numeric_ident(p + start, i - start))
			return verr_fail(e, "invalid leading zero in %s", where);
		if (i == n)
			return true;
		i++;
	}
}

/* major.minor.patch(-pre)?(+build)? (semver.org 2.0.0), or why not. */
static bool
semver_check(const uint8_t *p, size_t n, struct verr *e)
{
	static const char *const part[3] = {"major", "minor", "patch"};
	char q[8];
	size_t i = 0;
	if (n == 0)
		return verr_fail(e, "empty string, expected a semver version");
	for (int k = 0; k < 3; k++) {
		if (i == n)
			return verr_fail(e, "unexpected end of input while parsing %s version number",
					 part[k]);
		if (!is_digit(p[i])) {
			quote_char(p[i], q, sizeof q);
			return verr_fail(e, "unexpected character %s while parsing %s version number",
					 q, part[k]);
		}
		size_t start = i;
		while (i < n && is_digit(p[i]))
			i++;
		if (i - start > 1 && p[start] == '0')
			return verr_fail(e, "invalid leading zero in %s version number", part[k]);
		if (k == 2)
			break;
		if (i == n)
			return verr_fail(e, "unexpected end of input while parsing %s version number",
					 part[k + 1]);
		if (p[i] != '.') {
			quote_char(p[i], q, sizeof q);
			return verr_fail(e, "unexpected character %s after %s version number", q,
					 part[k]);
		}
		i++;
	}
	const uint8_t *plus = i < n ? memchr(p + i, '+', n - i) : NULL;
	size_t pre_end = plus ? (size_t)(plus - p) : n;
	if (i < pre_end) {
		if (p[i] != '-') {
			quote_char(p[i], q, sizeof q);
			return verr_fail(e, "unexpected character %s after patch version number", q);
		}
		if (!semver_idents(p + i + 1, pre_end - i - 1, true, e))
			return false;
	}
	return !plus || semver_idents(plus + 1, n - pre_end - 1, false, e);
}

static bool
semver_ok(const uint8_t *p, size_t n)
{
	struct verr e;
	return semver_check(p, n, &e);
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
	bool nested; /* nested namespaces and projections allowed (🪺) */
};

/* The label at p[*i..] up to one of `stops` (or the end). */
static size_t
label_span(const uint8_t *p, size_t n, size_t i, const char *stops)
{
	size_t k = i;
	while (k < n && !strchr(stops, p[k]))
		k++;
	return k - i;
}

/*
 * namespace ':' package ('/' projection) ('@' version)?, with more
 * namespaces and projections under nested names; e says why not.
 */
static bool
interface_name_check(const uint8_t *p, size_t n, struct iface_parts *out,
		     struct verr *e)
{
	const uint8_t *at = memchr(p, '@', n);
	size_t path = at ? (size_t)(at - p) : n, i = 0, len;
	out->has_version = at != NULL;
	out->canon_version = false;
	out->version = at ? at + 1 : NULL;
	out->version_len = at ? n - path - 1 : 0;
	/* the namespace, the package (and more namespaces when nested) */
	for (unsigned k = 0;; k++) {
		len = label_span(p, path, i, ":/");
		if (!label_check(p + i, len, true, e))
			return false;
		i += len;
		if (k == 0) {
			if (i == path || p[i] != ':')
				return verr_fail(e, "expected `:` after namespace");
			i++;
			continue;
		}
		if (i < path && p[i] == ':' && out->nested) {
			i++;
			continue;
		}
		if (i == path || p[i] != '/')
			return verr_fail(e, "expected `/` after package name");
		break;
	}
	for (unsigned k = 0; i < path; k++) { /* '/' projection */
		if (k == 1 && !out->nested)
			return verr_fail(e, "trailing characters found: `%.*s`", (int)(path - i),
					 (const char *)p + i);
		i++;
		len = label_span(p, path, i, "/");
		if (!label_check(p + i, len, false, e))
			return false;
		i += len;
	}
	if (!at)
		return true;
	out->canon_version = canonversion_ok(out->version, out->version_len);
	return out->canon_version || semver_check(out->version, out->version_len, e);
}

/* ---- legacy dependency names ------------------------------------------ */

/*
 * Names from earlier versions of the explainer that wasm-tools still
 * accepts and composers (wasm-compose) still write:
 *   unlocked-dep=<pkgpath(@* | @{range})?>
 *   locked-dep=<pkgpath(@semver)?>(,integrity=<...>)?
 *   url=<...>(,integrity=<...>)?
 *   integrity=<...>
 * They are not in this version of the spec; they are accepted (for
 * imports) so that such components can still be inspected and fused.
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

static bool
expect(struct cursor *c, const char *s, struct verr *e)
{
	return eat(c, s) || verr_fail(e, "expected `%s` at `%.*s`", s, (int)(c->end - c->p),
				      (const char *)c->p);
}

/* namespace ':' package, more ':' or '/' segments allowed (nested names). */
static bool
pkgpath_check(const uint8_t *p, size_t n, struct verr *e)
{
	size_t i = 0;
	bool any_colon = false;
	while (true) {
		size_t len = label_span(p, n, i, ":/");
		if (!label_check(p + i, len, true, e))
			return false;
		i += len;
		if (i == n)
			return any_colon || verr_fail(e, "expected `:` in package path");
		any_colon = any_colon || p[i] == ':';
		i++;
	}
}

static bool
range_check(const uint8_t *p, size_t n, struct verr *e)
{
	struct cursor c = {p, p + n};
	bool any = false;
	if (eat(&c, ">=")) {
		const uint8_t *sp = memchr(c.p, ' ', (size_t)(c.end - c.p));
		const uint8_t *end = sp ? sp : c.end;
		if (!semver_check(c.p, (size_t)(end - c.p), e))
			return false;
		c.p = sp ? sp + 1 : c.end;
		any = true;
	}
	if (eat(&c, "<")) {
		if (!semver_check(c.p, (size_t)(c.end - c.p), e))
			return false;
		c.p = c.end;
		any = true;
	}
	if (!any)
		return verr_fail(e, "expected `>=` or `<` at start of version range");
	return c.p == c.end || verr_fail(e, "trailing characters found: `%.*s`",
					 (int)(c.end - c.p), (const char *)c.p);
}

/* RFC 4648 base64 as wasm-tools takes it: data, then at most two `=`. */
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

/* integrity=<...>: whitespace-separated sha256-, sha384-, sha512- digests. */
static bool
hash_check(struct cursor *c, struct verr *e)
{
	if (!expect(c, "integrity=<", e))
		return false;
	const uint8_t *close = memchr(c->p, '>', (size_t)(c->end - c->p));
	if (!close)
		return verr_fail(e, "expected `>` at ``");
	struct cursor h = {c->p, close};
	c->p = close + 1;
	bool any = false;
	while (h.p < h.end) {
		if (*h.p == ' ') {
			h.p++;
			continue;
		}
		const uint8_t *start = h.p;
		while (h.p < h.end && *h.p != ' ')
			h.p++;
		const uint8_t *dash = memchr(start, '-', (size_t)(h.p - start));
		if (!dash)
			return verr_fail(e, "expected `-` after hash algorithm");
		size_t alg = (size_t)(dash - start);
		if (!(alg == 6 && (memcmp(start, "sha256", 6) == 0 || memcmp(start, "sha384", 6) == 0 ||
				   memcmp(start, "sha512", 6) == 0)))
			return verr_fail(e, "unrecognized hash algorithm: `%.*s`", (int)alg,
					 (const char *)start);
		/* SRI: the digest, then optional `?options` */
		const uint8_t *digest = dash + 1;
		const uint8_t *opts = memchr(digest, '?', (size_t)(h.p - digest));
		if (!base64_ok(digest, (size_t)((opts ? opts : h.p) - digest)))
			return verr_fail(e, "not valid base64: `%.*s`", (int)(h.p - digest),
					 (const char *)digest);
		any = true;
	}
	return any || verr_fail(e, "integrity hash cannot be empty");
}

/* A package path with an optional version (locked) or range (unlocked). */
static bool
dep_path_check(struct cursor in, bool unlocked, const uint8_t *after, struct verr *e)
{
	const uint8_t *at = memchr(in.p, '@', (size_t)(in.end - in.p));
	const uint8_t *pe = at ? at : in.end;
	if (!pkgpath_check(in.p, (size_t)(pe - in.p), e))
		return false;
	if (!at)
		return true;
	struct cursor v = {at + 1, in.end};
	if (!unlocked)
		return semver_check(v.p, (size_t)(v.end - v.p), e);
	if (eat(&v, "*"))
		return v.p == v.end || verr_fail(e, "trailing characters found: `%.*s`",
						 (int)(v.end - v.p), (const char *)v.p);
	if (!eat(&v, "{") || v.end == v.p || v.end[-1] != '}')
		return verr_fail(e, "expected `{` at `%.*s`", (int)(after - v.p),
				 (const char *)v.p);
	return range_check(v.p, (size_t)(v.end - v.p - 1), e);
}

/* Is n a legacy name?  0: no; 1: a well-formed one; -1: a malformed one. */
static int
dep_name_check(struct bin_name n, struct verr *e)
{
	struct cursor c = {n.p, n.p + n.len}, in;
	if (c.end - c.p >= 10 && memcmp(c.p, "integrity=", 10) == 0)
		return hash_check(&c, e) && (c.p == c.end ||
					     verr_fail(e, "trailing characters found: `%.*s`",
						       (int)(c.end - c.p), (const char *)c.p))
			? 1 : -1;
	bool unlocked = eat(&c, "unlocked-dep=");
	bool locked = !unlocked && eat(&c, "locked-dep=");
	bool url = !unlocked && !locked && eat(&c, "url=");
	if (!unlocked && !locked && !url)
		return 0;
	if (!expect(&c, "<", e))
		return -1;
	if (unlocked) {
		/* a version range may itself hold '<' and '>': the name ends at '>' */
		if (c.end == c.p || c.end[-1] != '>') {
			if (pkgpath_check(c.p, (size_t)(c.end - c.p), e))
				verr_fail(e, "expected `>` at ``");
			return -1;
		}
		in.p = c.p;
		in.end = c.end - 1;
		c.p = c.end;
		return dep_path_check(in, true, n.p + n.len, e) ? 1 : -1;
	}
	const uint8_t *close = memchr(c.p, '>', (size_t)(c.end - c.p));
	if (!close && !url && !dep_path_check(c, false, c.end, e))
		return -1; /* what comes first is wrong first */
	if (!close)
		return verr_fail(e, url ? "failed to find `>`" : "expected `>` at ``"), -1;
	in.p = c.p;
	in.end = close;
	c.p = close + 1;
	if (url && memchr(in.p, '<', (size_t)(in.end - in.p)))
		return verr_fail(e, "url cannot contain `<`"), -1;
	if (!url && !dep_path_check(in, false, close, e))
		return -1;
	if (c.p == c.end)
		return 1;
	if (!eat(&c, ","))
		return verr_fail(e, "trailing characters found: `%.*s`", (int)(c.end - c.p),
				 (const char *)c.p), -1;
	if (!hash_check(&c, e))
		return -1;
	return c.p == c.end ? 1
			    : (verr_fail(e, "trailing characters found: `%.*s`",
					 (int)(c.end - c.p), (const char *)c.p), -1);
}

static bool
dep_name_ok(struct bin_name n)
{
	struct verr e;
	return dep_name_check(n, &e) == 1;
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

/* label, [constructor]r, [method]r.f or [static]r.f; e says why not. */
static bool
plain_name_check(struct bin_name n, struct plain_parts *out, struct verr *e)
{
	struct bin_name rest;
	memset(out, 0, sizeof *out);
	if (has_prefix(n, "[constructor]", &rest)) {
		out->kind = PLAIN_CONSTRUCTOR;
		out->resource = rest;
		return label_check(rest.p, rest.len, false, e);
	}
	bool method = has_prefix(n, "[method]", &rest);
	if (!method && !has_prefix(n, "[static]", &rest)) {
		out->kind = PLAIN_LABEL;
		out->item = n;
		return label_check(n.p, n.len, false, e);
	}
	out->kind = method ? PLAIN_METHOD : PLAIN_STATIC;
	const uint8_t *dot = memchr(rest.p, '.', rest.len);
	if (!dot)
		return verr_fail(e, "failed to find `.` character");
	out->resource.p = rest.p;
	out->resource.len = (uint32_t)(dot - rest.p);
	out->item.p = dot + 1;
	out->item.len = rest.len - out->resource.len - 1;
	return label_check(out->resource.p, out->resource.len, false, e) &&
	       label_check(out->item.p, out->item.len, false, e);
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

/* The name resource r has in this context: the import or export of it. */
static const struct comp_extern_name *
resource_name(const struct valid_names *prev, struct comp_item *r)
{
	for (int exact = 1; exact >= 0; exact--) {
		for (size_t i = 0; i < prev->n; i++) {
			struct comp_item *it = prev->items[i];
			if (prev->spaces[i] != COMP_SPACE_TYPE || !it || !valid_is_resource(it))
				continue;
			for (struct comp_item *p = r; exact && p; p = p->target) {
				if (p == it)
					return prev->names[i];
			}
			if (!exact && comp_item_same(it, r))
				return prev->names[i];
		}
	}
	return NULL;
}

static enum meld_status
check_resource_name(struct vctx *v, const struct valid_names *prev,
		    const struct comp_extern_name *n, struct comp_item *r,
		    const struct plain_parts *pp)
{
	const struct comp_extern_name *rn = prev->no_resources ? NULL : resource_name(prev, r);
	if (!rn)
		return valid_fail(v, n->offset,
				  "name `%.*s` is not valid: resource used in function does not have a name in this context",
				  (int)n->name.len, (const char *)n->name.p);
	if (rn->name.len != pp->resource.len ||
	    memcmp(rn->name.p, pp->resource.p, pp->resource.len) != 0)
		return valid_fail(v, n->offset,
				  "name `%.*s` is not valid: function does not match expected resource name `%.*s`",
				  (int)n->name.len, (const char *)n->name.p, (int)rn->name.len,
				  (const char *)rn->name.p);
	return MELD_OK;
}

/* [constructor], [method] and [static] functions (wasm-tools' order of checks). */
static enum meld_status
check_resource_func(struct vctx *v, const struct valid_names *prev,
		    const struct comp_extern_name *n, enum comp_space sp,
		    struct comp_item *item, const struct plain_parts *pp)
{
	int len = (int)n->name.len;
	const char *name = (const char *)n->name.p;
	if (sp != COMP_SPACE_FUNC)
		return valid_fail(v, n->offset, "name `%.*s` is not valid: item is not a func",
				  len, name);
	if (pp->kind == PLAIN_STATIC) {
		if (prev->no_resources || !find_resource(prev, pp->resource))
			return valid_fail(v, n->offset,
					  "name `%.*s` is not valid: static resource name is not known in this context",
					  len, name);
		return MELD_OK;
	}
	const struct comp_functype *ft =
		item && item->kind == COMP_ITEM_FUNC ? valid_functype_of(item->type) : NULL;
	if (!ft)
		return MELD_OK;
	struct comp_scope *s = item->type->scope;
	enum comp_defval_kind hk = COMP_DEFVAL_PRIM;
	struct comp_item *r;
	if (pp->kind == PLAIN_CONSTRUCTOR) {
		if (ft->async)
			return valid_fail(v, n->offset, "constructor function cannot be async");
		if (!ft->has_result)
			return valid_fail(v, n->offset,
					  "name `%.*s` is not valid: function should return one value",
					  len, name);
		r = handle_resource(s, ft->result, &hk, false);
		if (!r || hk != COMP_DEFVAL_OWN)
			return valid_fail(v, n->offset,
					  "name `%.*s` is not valid: function should return `(own $T)` or `(result (own $T))`",
					  len, name);
		return check_resource_name(v, prev, n, r, pp);
	}
	if (!ft->nparams)
		return valid_fail(v, n->offset,
				  "name `%.*s` is not valid: function should have at least one argument",
				  len, name);
	if (!bin_name_eq(ft->params[0].label, "self"))
		return valid_fail(v, n->offset,
				  "name `%.*s` is not valid: function should have a first argument called `self`",
				  len, name);
	r = handle_resource(s, ft->params[0].type, &hk, true);
	if (!r || hk != COMP_DEFVAL_BORROW)
		return valid_fail(v, n->offset,
				  "name `%.*s` is not valid: function should take a first argument of `(borrow $T)`",
				  len, name);
	return check_resource_name(v, prev, n, r, pp);
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
		return valid_fail(v, n->offset, "duplicate name attribute option in name");
	struct iface_parts tmp;
	struct verr e;
	memset(&tmp, 0, sizeof tmp);
	tmp.nested = ip->nested;
	if (n->has_implements) {
		if (iface)
			return valid_fail(v, n->offset, "name `%.*s` is not valid with `implements`",
					  (int)n->name.len, (const char *)n->name.p);
		if (sp != COMP_SPACE_INSTANCE)
			return valid_fail(v, n->offset, "only instances can have an `implements`");
		if (!memchr(n->implements.p, ':', n->implements.len) ||
		    !interface_name_check(n->implements.p, n->implements.len, &tmp, &e))
			return valid_fail(v, n->offset,
					  "`%.*s` is not a valid name: it must be an interface name",
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

enum meld_status
valid_extern_name(struct vctx *v, struct comp_scope *s,
		  struct valid_names *prev, const struct comp_extern_name *n,
		  enum comp_space sp, struct comp_item *item, bool is_import)
{
	(void)s;
	const char *kind = is_import ? "import" : "export";
	int len = (int)n->name.len;
	const char *name = (const char *)n->name.p;
	struct iface_parts ip;
	struct plain_parts pp;
	struct verr e;
	memset(&ip, 0, sizeof ip);
	ip.nested = (v->features & VALID_F_NESTED_NAMES) != 0;
	int dep = dep_name_check(n->name, &e);
	if (dep < 0)
		return valid_fail(v, n->offset, "%s name `%.*s` is not a valid extern name: %s",
				  kind, len, name, e.msg);
	if (dep > 0) {
		if (!is_import)
			return valid_fail(v, n->offset, "name `%.*s` is not a valid export name",
					  len, name);
		enum meld_status dst = check_attributes(v, n, sp, false, &ip);
		return dst == MELD_OK ? push_name(v, prev, n, sp, item) : dst;
	}
	bool iface = memchr(n->name.p, ':', n->name.len) != NULL;
	if (iface ? !interface_name_check(n->name.p, n->name.len, &ip, &e)
		  : !plain_name_check(n->name, &pp, &e))
		return valid_fail(v, n->offset, "%s name `%.*s` is not a valid extern name: %s",
				  kind, len, name, e.msg);
	enum meld_status st = check_attributes(v, n, sp, iface, &ip);
	if (st == MELD_OK && !iface && pp.kind != PLAIN_LABEL)
		st = check_resource_func(v, prev, n, sp, item, &pp);
	return st == MELD_OK ? push_name(v, prev, n, sp, item) : st;
}
