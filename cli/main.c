/*
 * meld: the command line over libmeld.  Follows pulseengine/meld's CLI so
 * its users can switch without changing their builds:
 *   meld fuse IN... [-o OUT] [--memory auto|multi|shared] [--component] [--host-resources]
 *             [--stats] [--explain] [-v]
 *   meld inspect FILE [--json|--wit]
 * Exit codes: 0 success, 1 fusion/inspect error, 2 usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meld.h"
#include "cli_io.h"

#define EXIT_FUSION 1
#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: meld <command> [options]\n"
	"\n"
	"commands:\n"
	"  fuse IN... [-o OUT]   fuse components into one core module\n"
	"  inspect FILE          show what is inside a component or module\n"
	"  version               print the version\n"
	"\n"
	"fuse options:\n"
	"  -o, --output PATH     output file (default fused.wasm)\n"
	"  --memory STRATEGY     auto|multi (one memory per component, default)\n"
	"                        or shared (one memory; not implemented yet)\n"
	"  --component           wrap the fused module back into a component\n"
	"  --host-resources      the host defines the resources the root\n"
	"                        exports (imported [export] built-ins,\n"
	"                        exported [dtor]s): the module --component\n"
	"                        wraps\n"
	"  --stats               print counts and timings\n"
	"  --explain             describe every adapter site\n"
	"  -v, --verbose         say what is being done\n"
	"\n"
	"inspect options:\n"
	"  --json                the same information as JSON\n"
	"  --wit                 the root component's world as WIT\n"
	"\n"
	"  -h, --help            this text\n"
	"  -V, --version         the version\n";

static int
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "meld: error: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'meld --help'.\n");
	return EXIT_USAGE;
}

static int
report_session_error(struct meld_session *s)
{
	fprintf(stderr, "meld: error: %s\n", meld_session_error(s));
	return meld_session_status(s) == MELD_EUSAGE ? EXIT_USAGE
						     : EXIT_FUSION;
}

struct fuse_args {
	const char **inputs;
	int ninputs;
	const char *output;
	struct meld_fuse_options opts;
	int verbose;
};

static int
parse_memory(struct fuse_args *a, const char *v)
{
	if (strcmp(v, "auto") == 0 || strcmp(v, "multi") == 0)
		a->opts.memory = MELD_MEMORY_MULTI;
	else if (strcmp(v, "shared") == 0)
		a->opts.memory = MELD_MEMORY_SHARED;
	else
		return usage_error("--memory takes auto, multi or shared, not '%s'", v);
	return 0;
}

static int
parse_fuse_args(int argc, char **argv, struct fuse_args *a)
{
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
			if (++i == argc)
				return usage_error("%s needs a path", arg);
			a->output = argv[i];
		} else if (strncmp(arg, "--output=", 9) == 0) {
			a->output = arg + 9;
		} else if (strcmp(arg, "--memory") == 0) {
			if (++i == argc)
				return usage_error("%s needs a strategy", arg);
			if (parse_memory(a, argv[i]))
				return EXIT_USAGE;
		} else if (strncmp(arg, "--memory=", 9) == 0) {
			if (parse_memory(a, arg + 9))
				return EXIT_USAGE;
		} else if (strcmp(arg, "--component") == 0) {
			a->opts.component = 1;
		} else if (strcmp(arg, "--host-resources") == 0) {
			a->opts.host_resources = 1;
		} else if (strcmp(arg, "--stats") == 0) {
			a->opts.stats = 1;
		} else if (strcmp(arg, "--explain") == 0) {
			a->opts.explain = 1;
		} else if (strcmp(arg, "-v") == 0 ||
			   strcmp(arg, "--verbose") == 0) {
			a->verbose = 1;
		} else if (arg[0] == '-' && arg[1] != 0) {
			return usage_error("unknown option '%s' for fuse", arg);
		} else {
			a->inputs[a->ninputs++] = arg;
		}
	}
	if (a->ninputs == 0)
		return usage_error("%s", "fuse needs at least one input file");
	return 0;
}

static int
load_inputs(struct meld_session *s, const char **names, int n,
	    struct cli_file *files)
{
	for (int i = 0; i < n; i++) {
		if (cli_read_file(names[i], &files[i]) != 0) {
			fprintf(stderr, "meld: error: %s: cannot read: %s\n",
				names[i], strerror(errno));
			return EXIT_FUSION;
		}
		if (meld_add_input(s, names[i], files[i].bytes,
				   files[i].len) != MELD_OK)
			return report_session_error(s);
	}
	return 0;
}

static int
cmd_fuse(int argc, char **argv)
{
	struct fuse_args a;
	memset(&a, 0, sizeof a);
	a.output = "fused.wasm";
	a.inputs = calloc((size_t)argc + 1, sizeof *a.inputs);
	if (!a.inputs)
		return EXIT_FUSION;
	int rc = parse_fuse_args(argc, argv, &a);
	struct cli_file *files = calloc((size_t)a.ninputs + 1, sizeof *files);
	struct meld_session *s = meld_session_create();
	if (rc == 0 && (!files || !s)) {
		fprintf(stderr, "meld: error: out of memory\n");
		rc = EXIT_FUSION;
	}
	if (rc == 0)
		rc = load_inputs(s, a.inputs, a.ninputs, files);
	const uint8_t *out = NULL;
	size_t out_len = 0;
	const char *report = NULL;
	if (rc == 0 && a.verbose)
		fprintf(stderr, "meld: fusing %d input%s into %s\n", a.ninputs,
			a.ninputs == 1 ? "" : "s", a.output);
	if (rc == 0 && meld_fuse(s, &a.opts, &out, &out_len, &report) != MELD_OK)
		rc = report_session_error(s);
	if (rc == 0 && cli_write_file_atomic(a.output, out, out_len) != 0) {
		fprintf(stderr, "meld: error: %s: cannot write: %s\n", a.output,
			strerror(errno));
		rc = EXIT_FUSION;
	}
	if (rc == 0 && report && *report)
		fputs(report, stdout);
	if (rc == 0 && a.verbose)
		fprintf(stderr, "meld: wrote %zu bytes to %s\n", out_len,
			a.output);
	meld_session_destroy(s);
	for (int i = 0; files && i < a.ninputs; i++)
		cli_free_file(&files[i]);
	free(files);
	free(a.inputs);
	return rc;
}

static int
cmd_inspect(int argc, char **argv)
{
	enum meld_inspect_format format = MELD_INSPECT_TEXT;
	const char *path = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			format = MELD_INSPECT_JSON;
		else if (strcmp(argv[i], "--wit") == 0)
			format = MELD_INSPECT_WIT;
		else if (argv[i][0] == '-' && argv[i][1] != 0)
			return usage_error("unknown option '%s' for inspect", argv[i]);
		else if (path)
			return usage_error("inspect takes one file, got also '%s'", argv[i]);
		else
			path = argv[i];
	}
	if (!path)
		return usage_error("%s", "inspect needs a file");
	struct cli_file f = {0};
	struct meld_session *s = meld_session_create();
	int rc = 0;
	if (!s) {
		fprintf(stderr, "meld: error: out of memory\n");
		return EXIT_FUSION;
	}
	rc = load_inputs(s, &path, 1, &f);
	const char *text = NULL;
	if (rc == 0 && meld_inspect(s, 0, format, &text) != MELD_OK)
		rc = report_session_error(s);
	if (rc == 0)
		fputs(text, stdout);
	meld_session_destroy(s);
	cli_free_file(&f);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 ||
	    strcmp(cmd, "version") == 0) {
		printf("meld %s\n", meld_version());
		return 0;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return 0;
		}
	}
	if (strcmp(cmd, "fuse") == 0)
		return cmd_fuse(argc - 2, argv + 2);
	if (strcmp(cmd, "inspect") == 0)
		return cmd_inspect(argc - 2, argv + 2);
	return usage_error("unknown command '%s'", cmd);
}
