// SPDX-License-Identifier: GPL-2.0
/*
 * heapctl map - what a heap's pages hold: a row per run of pages as text
 * or JSON, and with --svg a picture of them.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "heapctl.h"

/* Rows heapctl draws at most; more ranges merge into "mixed" rows. */
#define MAP_TEXT_ROWS	128
#define MAP_JSON_ROWS	4096
#define MAP_SVG_CELLS	1024	/* pages, or groups of pages, in the picture */
#define MAP_SVG_COLS	32
#define MAP_RETRIES	8	/* restarts when the heap changes mid-walk */

#define ROW_MIXED	0	/* a kind of its own: several ranges merged */

/* A heap's page map, whole, with what heapctl needs to draw it. */
struct page_map {
	struct rtheap_range *r;
	unsigned int n;
	unsigned int npages;
	unsigned long long page_size;
};

/* One drawn row: a range, or several merged. */
struct map_row {
	unsigned long long first, count;
	int kind;			/* RTHEAP_RANGE_* or ROW_MIXED */
	unsigned int cls, used;		/* as the range's, unmerged rows */
	unsigned long long free_pages, bucket_pages, run_pages;
	unsigned long long used_bytes;
};

struct map_totals {
	unsigned long long free_pages, kept_pages, bucket_pages, run_pages;
	unsigned long long run_blocks, shared_pages, used_bytes;
	unsigned long long cls_pages[RTHEAP_MAX_CLASSES];
	unsigned long long cls_used[RTHEAP_MAX_CLASSES];
};

static unsigned long long class_size(unsigned int cls)
{
	return cls < RTHEAP_MAX_CLASSES ? (unsigned long long)RTHEAP_MIN_BLOCK << cls : 0;
}

/* Blocks of class cls in a page. */
static unsigned long long class_per_page(const struct page_map *pm,
					 unsigned int cls)
{
	unsigned long long sz = class_size(cls);

	return sz ? pm->page_size / sz : 0;
}

/*
 * The whole map, in calls of RTHEAP_PAGEMAP_MAX ranges on the bound file.
 * The page map is a tool's view, not part of the rt_heap_* API: heapctl
 * asks the module directly.  A heap that changes between two calls can
 * leave the cursor inside a run (-EINVAL): start again, a few times.
 */
static int get_page_map(RT_HEAP *heap, struct page_map *pm)
{
	struct rtheap_range *buf = NULL, *nbuf;
	struct rtheap_pagemap arg;
	unsigned int cap = 0, n, tries;
	uint32_t cursor;

	for (tries = 0; tries < MAP_RETRIES; tries++) {
		n = 0;
		cursor = 0;
		for (;;) {
			if (cap - n < RTHEAP_PAGEMAP_MAX) {
				if (cap > UINT_MAX / 2 - RTHEAP_PAGEMAP_MAX) {
					free(buf);
					return -ENOMEM;
				}
				cap = cap * 2 + RTHEAP_PAGEMAP_MAX;
				nbuf = realloc(buf, (size_t)cap * sizeof(*buf));
				if (!nbuf) {
					free(buf);
					return -ENOMEM;
				}
				buf = nbuf;
			}
			memset(&arg, 0, sizeof(arg));
			arg.first = cursor;
			arg.capacity = RTHEAP_PAGEMAP_MAX;
			arg.ranges = (uintptr_t)(buf + n);
			if (ioctl(heap->fd, RTHEAP_IOC_PAGEMAP, &arg) < 0)
				break;
			n += arg.count;
			if (arg.next < arg.npages && arg.next <= cursor) {
				free(buf);
				return -EIO;	/* no progress: a module bug */
			}
			if (arg.next >= arg.npages) {
				pm->r = buf;
				pm->n = n;
				pm->npages = arg.npages;
				pm->page_size = arg.npages ?
					heap->mapsize / arg.npages : 0;
				return 0;
			}
			cursor = arg.next;
		}
		if (errno != EINVAL || !cursor)
			break;
	}
	free(buf);
	if (tries == MAP_RETRIES)
		return -EAGAIN;
	return errno == ENOTTY ? -EOPNOTSUPP : -errno;
}

static unsigned long long range_used_bytes(const struct page_map *pm,
					   const struct rtheap_range *r)
{
	switch (r->kind) {
	case RTHEAP_RANGE_BUCKET:
		return (unsigned long long)r->count * r->used * class_size(r->cls);
	case RTHEAP_RANGE_RUN:
	case RTHEAP_RANGE_SHARED:
		return (unsigned long long)r->count * pm->page_size;
	}
	return 0;
}

static void map_totals(const struct page_map *pm, struct map_totals *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < pm->n; i++) {
		const struct rtheap_range *r = &pm->r[i];

		t->used_bytes += range_used_bytes(pm, r);
		switch (r->kind) {
		case RTHEAP_RANGE_FREE:
			t->free_pages += r->count;
			break;
		case RTHEAP_RANGE_KEPT:
			t->kept_pages += r->count;
			break;
		case RTHEAP_RANGE_BUCKET:
			t->bucket_pages += r->count;
			if (r->cls < RTHEAP_MAX_CLASSES) {
				t->cls_pages[r->cls] += r->count;
				t->cls_used[r->cls] += (unsigned long long)r->count * r->used;
			}
			break;
		case RTHEAP_RANGE_RUN:
			t->run_pages += r->count;
			t->run_blocks += r->used;
			break;
		case RTHEAP_RANGE_SHARED:
			t->shared_pages += r->count;
			break;
		}
	}
}

static void row_add(const struct page_map *pm, struct map_row *row,
		    const struct rtheap_range *r)
{
	if (!row->count) {
		row->first = r->first;
		row->kind = r->kind;
		row->cls = r->cls;
		row->used = r->used;
	} else {
		row->kind = ROW_MIXED;
	}
	row->count += r->count;
	row->used_bytes += range_used_bytes(pm, r);
	switch (r->kind) {
	case RTHEAP_RANGE_FREE:
	case RTHEAP_RANGE_KEPT:
		row->free_pages += r->count;
		break;
	case RTHEAP_RANGE_BUCKET:
		row->bucket_pages += r->count;
		break;
	default:
		row->run_pages += r->count;
		break;
	}
}

/*
 * At most max rows: one per range, or when there are more, neighbouring
 * ranges merged into rows of at least npages / max pages each.
 */
static struct map_row *map_rows(const struct page_map *pm, unsigned int max,
				unsigned int *nrows)
{
	unsigned long long span = 0;
	struct map_row *rows;
	unsigned int i, n = 0;

	rows = calloc(pm->n ? (pm->n < max ? pm->n : max) : 1, sizeof(*rows));
	if (!rows)
		return NULL;
	if (pm->n > max)
		span = (pm->npages + max - 1) / max;
	for (i = 0; i < pm->n; i++) {
		if (rows[n].count && rows[n].count >= span)
			n++;
		row_add(pm, &rows[n], &pm->r[i]);
	}
	*nrows = pm->n ? n + 1 : 0;
	return rows;
}

/* Fraction of the row's bytes in use, 0 .. 1. */
static double row_fill(const struct page_map *pm, const struct map_row *row)
{
	double all = (double)row->count * (double)pm->page_size;

	return all > 0 ? (double)row->used_bytes / all : 0.0;
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case RTHEAP_RANGE_FREE:		return "free";
	case RTHEAP_RANGE_KEPT:		return "kept";
	case RTHEAP_RANGE_BUCKET:	return "bucket";
	case RTHEAP_RANGE_RUN:		return "run";
	case RTHEAP_RANGE_SHARED:	return "shared";
	case ROW_MIXED:			return "mixed";
	}
	return "unknown";
}

/* Columns of the terminal: $COLUMNS, TIOCGWINSZ, else 80. */
static unsigned int term_columns(void)
{
	const char *s = getenv("COLUMNS");
	struct winsize ws;
	unsigned long v;
	char *end;

	if (s && *s) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (!errno && !*end && v >= 20 && v <= 1000)
			return (unsigned int)v;
	}
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

static void print_bar(double fill, unsigned int width)
{
	unsigned int full = (unsigned int)(fill * width + 0.5), i;

	if (full == 0 && fill > 0)
		full = 1;		/* something is used: show it */
	if (full == width && fill < 1)
		full = width - 1;	/* something is free: show it */
	for (i = 0; i < width; i++)
		fputs(i < full ? "\u2588" : "\u2591", stdout);
}

static void map_text(const struct page_map *pm, const RT_HEAP_INFO *hi,
		     bool bytes)
{
	char lab[48], what[48], tail[96], b[4][32];
	unsigned int nrows, i, wlab = 0, wbar, cols = term_columns();
	struct map_row *rows = map_rows(pm, MAP_TEXT_ROWS, &nrows);
	struct map_totals t;

	if (!rows) {
		fail("map", hi->name, -ENOMEM);
		return;
	}
	printf("heap \"%s\": %u pages of %s, %s usable\n", hi->name, pm->npages,
	       human(pm->page_size, bytes, b[0], sizeof(b[0])),
	       human(hi->usablemem, bytes, b[1], sizeof(b[1])));
	for (i = 0; i < nrows; i++) {
		int len = snprintf(lab, sizeof(lab), "%llu-%llu", rows[i].first,
				   rows[i].first + rows[i].count - 1);

		if ((unsigned int)len > wlab)
			wlab = (unsigned int)len;
	}
	/* "pages " label "  " what(14) " " bar " " tail(~16) */
	wbar = cols > wlab + 6 + 2 + 14 + 1 + 1 + 20 + 4 ?
	       cols - (wlab + 6 + 2 + 14 + 1 + 1 + 20) : 4;
	if (wbar > 48)
		wbar = 48;
	for (i = 0; i < nrows; i++) {
		const struct map_row *r = &rows[i];

		if (r->count == 1)
			snprintf(lab, sizeof(lab), "%llu", r->first);
		else
			snprintf(lab, sizeof(lab), "%llu-%llu", r->first,
				 r->first + r->count - 1);
		tail[0] = '\0';
		switch (r->kind) {
		case RTHEAP_RANGE_BUCKET:
			snprintf(what, sizeof(what), "bucket %s",
				 human(class_size(r->cls), true, b[0], sizeof(b[0])));
			strcat(what, " B");
			snprintf(tail, sizeof(tail), "%u/%llu used%s", r->used,
				 class_per_page(pm, r->cls),
				 r->count > 1 ? " each" : "");
			break;
		case RTHEAP_RANGE_RUN:
			snprintf(what, sizeof(what), "run");
			snprintf(tail, sizeof(tail), "%u block%s of %llu page%s",
				 r->used, r->used == 1 ? "" : "s",
				 r->used ? r->count / r->used : 0,
				 r->used && r->count / r->used == 1 ? "" : "s");
			break;
		case RTHEAP_RANGE_FREE:
		case RTHEAP_RANGE_KEPT:
			snprintf(what, sizeof(what), "%s", r->kind == RTHEAP_RANGE_FREE ?
				 "free" : "free (kept)");
			snprintf(tail, sizeof(tail), "%llu page%s", r->count,
				 r->count == 1 ? "" : "s");
			break;
		case RTHEAP_RANGE_SHARED:
			snprintf(what, sizeof(what), "shared segment");
			break;
		case ROW_MIXED:
			snprintf(what, sizeof(what), "mixed");
			snprintf(tail, sizeof(tail), "%.0f%% used: %llu free, %llu bucket, %llu run",
				 100 * row_fill(pm, r), r->free_pages,
				 r->bucket_pages, r->run_pages);
			break;
		default:
			snprintf(what, sizeof(what), "kind %d", r->kind);
		}
		printf("pages %-*s  %-14s ", (int)wlab, lab, what);
		print_bar(row_fill(pm, r), wbar);
		printf(" %s\n", tail);
	}
	free(rows);

	map_totals(pm, &t);
	printf("\npages: %llu free", t.free_pages + t.kept_pages);
	if (t.kept_pages)
		printf(" (%llu kept)", t.kept_pages);
	printf(", %llu in buckets, %llu in runs (%llu block%s)", t.bucket_pages,
	       t.run_pages, t.run_blocks, t.run_blocks == 1 ? "" : "s");
	if (t.shared_pages)
		printf(", %llu shared", t.shared_pages);
	printf(", of %u\n", pm->npages);
	for (i = 0; i < RTHEAP_MAX_CLASSES; i++) {
		if (!t.cls_pages[i])
			continue;
		printf("bucket %s B: %llu page%s, %llu of %llu blocks used\n",
		       human(class_size(i), true, b[0], sizeof(b[0])),
		       t.cls_pages[i], t.cls_pages[i] == 1 ? "" : "s", t.cls_used[i],
		       t.cls_pages[i] * class_per_page(pm, i));
	}
	printf("used: %s of %s (%.1f%%), largest free block: %s\n",
	       human(t.used_bytes, bytes, b[0], sizeof(b[0])),
	       human(hi->usablemem, bytes, b[1], sizeof(b[1])),
	       hi->usablemem ? 100.0 * (double)t.used_bytes / (double)hi->usablemem : 0.0,
	       human(hi->largestfree, bytes, b[2], sizeof(b[2])));
}

static void map_json(const struct page_map *pm, const RT_HEAP_INFO *hi)
{
	unsigned int nrows, i;
	struct map_row *rows = map_rows(pm, MAP_JSON_ROWS, &nrows);
	struct map_totals t;

	if (!rows) {
		fail("map", hi->name, -ENOMEM);
		return;
	}
	map_totals(pm, &t);
	printf("{\"name\":");
	json_string(hi->name);
	printf(",\"npages\":%u,\"page_size\":%llu,\"usable_mem\":%llu,"
	       "\"used_mem\":%llu,\"largest_free\":%llu,\"merged\":%s,\"ranges\":[",
	       pm->npages, pm->page_size, (unsigned long long)hi->usablemem,
	       (unsigned long long)hi->usedmem,
	       (unsigned long long)hi->largestfree,
	       pm->n > nrows ? "true" : "false");
	for (i = 0; i < nrows; i++) {
		const struct map_row *r = &rows[i];

		printf("%s\n{\"first\":%llu,\"count\":%llu,\"kind\":\"%s\"",
		       i ? "," : "", r->first, r->count, kind_name(r->kind));
		if (r->kind == RTHEAP_RANGE_BUCKET)
			printf(",\"class_size\":%llu,\"used\":%u,\"blocks\":%llu",
			       class_size(r->cls), r->used, class_per_page(pm, r->cls));
		else if (r->kind == RTHEAP_RANGE_RUN)
			printf(",\"blocks\":%u,\"block_pages\":%llu", r->used,
			       r->used ? r->count / r->used : 0);
		else if (r->kind == ROW_MIXED)
			printf(",\"free_pages\":%llu,\"bucket_pages\":%llu,\"run_pages\":%llu",
			       r->free_pages, r->bucket_pages, r->run_pages);
		printf(",\"used_bytes\":%llu}", r->used_bytes);
	}
	printf("\n],\"totals\":{\"free_pages\":%llu,\"kept_pages\":%llu,"
	       "\"bucket_pages\":%llu,\"run_pages\":%llu,\"run_blocks\":%llu,"
	       "\"shared_pages\":%llu,\"used_bytes\":%llu,\"classes\":{",
	       t.free_pages + t.kept_pages, t.kept_pages, t.bucket_pages,
	       t.run_pages, t.run_blocks, t.shared_pages, t.used_bytes);
	for (i = 0, nrows = 0; i < RTHEAP_MAX_CLASSES; i++) {
		if (!t.cls_pages[i])
			continue;
		printf("%s\"%llu\":{\"pages\":%llu,\"used\":%llu,\"blocks\":%llu}",
		       nrows++ ? "," : "", class_size(i), t.cls_pages[i],
		       t.cls_used[i], t.cls_pages[i] * class_per_page(pm, i));
	}
	printf("}}}\n");
	free(rows);
}

/* One cell of the picture: a page, or a group of pages. */
struct map_cell {
	unsigned long long pages[6];	/* per RTHEAP_RANGE_* */
	double used_bytes;
	unsigned int cls;		/* of its last bucket page */
	bool block_start;		/* a multi-page block begins here */
};

static const char *const svg_fill[6] = {
	[0] = "#ffffff",
	[RTHEAP_RANGE_FREE] = "#eeeeee",
	[RTHEAP_RANGE_KEPT] = "#d7ecd9",
	[RTHEAP_RANGE_BUCKET] = "#ffe0b2",
	[RTHEAP_RANGE_RUN] = "#5c6bc0",
	[RTHEAP_RANGE_SHARED] = "#8d6e63",
};

/* Colour of a bucket class's used part: a hue per class. */
static void svg_class_colour(unsigned int cls, char *buf, size_t len)
{
	snprintf(buf, len, "hsl(%u,75%%,45%%)", (cls * 47 + 20) % 360);
}

static int map_svg(const struct page_map *pm, const RT_HEAP_INFO *hi,
		   const char *path, bool bytes)
{
	unsigned long long span, ncells, c, p0, p1, lo, hi_p, k, blen;
	unsigned int i, cols, rows, cell = 22, x, y, h, ly;
	struct map_cell *cells;
	struct map_totals t;
	char col[32], b[3][32];
	FILE *f;

	span = pm->npages > MAP_SVG_CELLS ?
	       (pm->npages + MAP_SVG_CELLS - 1) / MAP_SVG_CELLS : 1;
	ncells = pm->npages ? (pm->npages + span - 1) / span : 0;
	cells = calloc(ncells ? ncells : 1, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	for (i = 0; i < pm->n; i++) {
		const struct rtheap_range *r = &pm->r[i];
		double per_page = r->count ?
			(double)range_used_bytes(pm, r) / (double)r->count : 0;

		p0 = r->first;
		p1 = (unsigned long long)r->first + r->count;
		for (c = p0 / span; c < ncells && c * span < p1; c++) {
			lo = c * span > p0 ? c * span : p0;
			hi_p = (c + 1) * span < p1 ? (c + 1) * span : p1;
			cells[c].pages[r->kind < 6 ? r->kind : 0] += hi_p - lo;
			cells[c].used_bytes += per_page * (double)(hi_p - lo);
			if (r->kind == RTHEAP_RANGE_BUCKET)
				cells[c].cls = r->cls;
		}
		if (r->kind == RTHEAP_RANGE_RUN && r->used) {
			blen = r->count / r->used;
			for (k = 0; k < r->used; k++)
				cells[(p0 + k * blen) / span].block_start = true;
		}
	}

	f = fopen(path, "we");
	if (!f) {
		free(cells);
		return -errno;
	}
	map_totals(pm, &t);
	cols = MAP_SVG_COLS;
	rows = (unsigned int)((ncells + cols - 1) / cols);
	h = 40 + rows * cell + 150;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
		"font-family=\"sans-serif\" font-size=\"13\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		20 + cols * cell + 20, h);
	fprintf(f, "<text x=\"20\" y=\"26\" font-size=\"16\">heap ");
	for (const char *s = hi->name; *s; s++)
		if (*s == '<' || *s == '&' || *s == '>' || *s == '"')
			fprintf(f, "&#%d;", *s);
		else
			fputc(*s, f);
	fprintf(f, ": %u pages of %s%s</text>\n", pm->npages,
		human(pm->page_size, bytes, b[0], sizeof(b[0])),
		span > 1 ? ", a cell per group of pages" : ", a cell per page");
	for (c = 0; c < ncells; c++) {
		const struct map_cell *m = &cells[c];
		unsigned int kind = 0, fillh;
		double frac;

		for (k = 1; k < 6; k++)
			if (m->pages[k] > m->pages[kind])
				kind = (unsigned int)k;
		x = 20 + (unsigned int)(c % cols) * cell;
		y = 40 + (unsigned int)(c / cols) * cell;
		frac = m->used_bytes / ((double)span * (double)pm->page_size);
		fprintf(f, "<g><title>page%s %llu", span > 1 ? "s" : "", c * span);
		if (span > 1)
			fprintf(f, "-%llu", (c + 1) * span - 1);
		fprintf(f, ": %s, %.0f%% used</title>", kind_name((int)kind), 100 * frac);
		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
			"fill=\"%s\" stroke=\"#999999\" stroke-width=\"0.5\"/>",
			x, y, cell, cell, svg_fill[kind]);
		if (kind == RTHEAP_RANGE_BUCKET || (span > 1 && kind != RTHEAP_RANGE_RUN &&
						     kind != RTHEAP_RANGE_SHARED)) {
			fillh = (unsigned int)(frac * (cell - 2) + 0.5);
			if (frac > 0 && !fillh)
				fillh = 1;
			svg_class_colour(m->cls, col, sizeof(col));
			if (fillh)
				fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"%s\"/>",
					x + 1, y + cell - 1 - fillh, cell - 2, fillh,
					kind == RTHEAP_RANGE_BUCKET ? col : "#5c6bc0");
		}
		if (m->block_start)
			fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"3\" height=\"%u\" fill=\"#ffffff\"/>",
				x, y, cell);
		fprintf(f, "</g>\n");
	}

	ly = 40 + rows * cell + 24;
	x = 20;
	fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"14\" fill=\"%s\" stroke=\"#999999\"/>"
		"<text x=\"%u\" y=\"%u\">free</text>\n", x, ly - 11, svg_fill[RTHEAP_RANGE_FREE], x + 18, ly);
	x += 70;
	fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"14\" fill=\"%s\"/>"
		"<text x=\"%u\" y=\"%u\">run (white edge: a block starts)</text>\n",
		x, ly - 11, svg_fill[RTHEAP_RANGE_RUN], x + 18, ly);
	x += 250;
	fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"14\" fill=\"%s\" stroke=\"#999999\"/>"
		"<text x=\"%u\" y=\"%u\">bucket page (filled: used)</text>\n",
		x, ly - 11, svg_fill[RTHEAP_RANGE_BUCKET], x + 18, ly);
	ly += 22;
	x = 20;
	for (i = 0; i < RTHEAP_MAX_CLASSES; i++) {
		if (!t.cls_pages[i])
			continue;
		svg_class_colour(i, col, sizeof(col));
		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"14\" fill=\"%s\"/>"
			"<text x=\"%u\" y=\"%u\">%llu B: %llu page%s, %llu/%llu used</text>\n",
			x, ly - 11, col, x + 18, ly, class_size(i), t.cls_pages[i],
			t.cls_pages[i] == 1 ? "" : "s", t.cls_used[i],
			t.cls_pages[i] * class_per_page(pm, i));
		x += 230;
		if (x > cols * cell - 200) {
			x = 20;
			ly += 22;
		}
	}
	if (x != 20)
		ly += 22;
	fprintf(f, "<text x=\"20\" y=\"%u\">pages: %llu free, %llu in buckets, %llu in runs (%llu blocks)%s</text>\n",
		ly + 4, t.free_pages + t.kept_pages, t.bucket_pages, t.run_pages,
		t.run_blocks, t.shared_pages ? ", shared segment" : "");
	fprintf(f, "<text x=\"20\" y=\"%u\">used: %s of %s, largest free block: %s</text>\n",
		ly + 26, human(t.used_bytes, bytes, b[0], sizeof(b[0])),
		human(hi->usablemem, bytes, b[1], sizeof(b[1])),
		human(hi->largestfree, bytes, b[2], sizeof(b[2])));
	fprintf(f, "</svg>\n");
	free(cells);
	if (fclose(f))
		return -errno;
	return 0;
}

int cmd_map(const struct opts *o, const char *name)
{
	RT_HEAP_INFO hi;
	struct page_map pm = { 0 };
	RT_HEAP heap;
	int ret;

	ret = rt_heap_bind_timed(&heap, name, TM_NONBLOCK);
	if (ret == -EWOULDBLOCK || ret == -ETIMEDOUT)
		ret = -ENOENT;
	if (ret)
		return fail("map", name, ret);
	ret = get_page_map(&heap, &pm);
	/* The figures after the map: the same moment, if nobody else moves. */
	if (!ret)
		ret = find_heap(name, &hi);
	rt_heap_unbind(&heap);
	if (ret) {
		free(pm.r);
		return fail("map", name, ret);
	}
	if (o->svg) {
		ret = map_svg(&pm, &hi, o->svg, o->given & OPT_BYTES);
		if (ret) {
			free(pm.r);
			fprintf(stderr, "heapctl: map \"%s\": %s: %s\n", name,
				o->svg, reason(-ret));
			return EXIT_FAILURE;
		}
	}
	if (o->given & OPT_JSON)
		map_json(&pm, &hi);
	else
		map_text(&pm, &hi, o->given & OPT_BYTES);
	free(pm.r);
	return EXIT_SUCCESS;
}
