/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtheap - tracepoints, in tracefs as events/rtheap/rtheap_{alloc,free,wait,wake}.
 *
 *   rtheap_alloc  a block handed out, by an alloc or by a free to a waiter
 *   rtheap_free   a block given back (only frees that succeed)
 *   rtheap_wait   an alloc found no room and queued; timeout in ns, 0: none
 *   rtheap_wake   a queued alloc resumed: 0 and the block, or -EIDRM,
 *                 -ETIMEDOUT, -EINTR
 *
 * heap.c defines them (CREATE_TRACE_POINTS).  Disabled, each costs a
 * static branch: the conditions and the block size lookups run only when
 * the event is on.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM rtheap

#if !defined(_RTHEAP_KERNEL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _RTHEAP_KERNEL_TRACE_H

#include <linux/ktime.h>
#include <linux/tracepoint.h>

#include "heap.h"
#include "heapmem.h"
#include "waitq.h"

TRACE_EVENT_CONDITION(rtheap_alloc,
		      TP_PROTO(const struct rtheap *h, int ret, size_t size,
			       const size_t *offp),
		      TP_ARGS(h, ret, size, offp),
		      TP_CONDITION(!ret),
		      TP_STRUCT__entry(__field(u32, heap)
				       __field(u64, bytes_req)
				       __field(u64, bytes_alloc)
				       __field(u64, offset)),
		      TP_fast_assign(__entry->heap = h->reg.id;
				     __entry->bytes_req = size;
				     __entry->bytes_alloc =
					rtheap_mem_block_size(&h->mem, *offp);
				     __entry->offset = *offp),
		      TP_printk("heap=%u bytes_req=%llu bytes_alloc=%llu offset=%#llx",
				__entry->heap, __entry->bytes_req,
				__entry->bytes_alloc, __entry->offset));

/* Called before the free, under the same lock: bytes is the live block's. */
TRACE_EVENT_CONDITION(rtheap_free,
		      TP_PROTO(const struct rtheap *h, size_t off),
		      TP_ARGS(h, off),
		      TP_CONDITION(rtheap_mem_block_size(&h->mem, off)),
		      TP_STRUCT__entry(__field(u32, heap)
				       __field(u64, offset)
				       __field(u64, bytes)),
		      TP_fast_assign(__entry->heap = h->reg.id;
				     __entry->offset = off;
				     __entry->bytes =
					rtheap_mem_block_size(&h->mem, off)),
		      TP_printk("heap=%u offset=%#llx bytes=%llu",
				__entry->heap, __entry->offset,
				__entry->bytes));

/* timeout as an RTIME: 0 waits forever, so a deadline already past is 1. */
TRACE_EVENT(rtheap_wait,
	    TP_PROTO(const struct rtheap *h, size_t size,
		     const struct rtheap_tmo *t),
	    TP_ARGS(h, size, t),
	    TP_STRUCT__entry(__field(u32, heap)
			     __field(u64, bytes_req)
			     __field(u64, timeout)),
	    TP_fast_assign(__entry->heap = h->reg.id;
			   __entry->bytes_req = size;
			   __entry->timeout = t->forever ? 0 :
				max_t(s64, ktime_to_ns(ktime_sub(t->deadline,
								 ktime_get())),
				      1)),
	    TP_printk("heap=%u bytes_req=%llu timeout=%llu",
		      __entry->heap, __entry->bytes_req, __entry->timeout));

TRACE_EVENT(rtheap_wake,
	    TP_PROTO(const struct rtheap *h, int result, size_t off),
	    TP_ARGS(h, result, off),
	    TP_STRUCT__entry(__field(u32, heap)
			     __field(int, result)
			     __field(u64, offset)),
	    TP_fast_assign(__entry->heap = h->reg.id;
			   __entry->result = result;
			   __entry->offset = off),
	    TP_printk("heap=%u result=%d offset=%#llx",
		      __entry->heap, __entry->result, __entry->offset));

#endif /* _RTHEAP_KERNEL_TRACE_H */

/* define_trace.h includes this file again: Kbuild puts kernel/ on heap.o's path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
