# SPDX-License-Identifier: MIT
"""Stepping cvisor itself (the simulator, a host program) in host gdb.

    gdb -x scripts/gdb/cvisor.py --args build-debug/cvisor run configs/aarch64/hello.toml

(build-debug/ is `make debug`: -O0 -g3; build/cvisor at -O2 works too, with
some values <optimized out>.) What it sets up, each explained where it is
done below:

- backtraces without the CPU emulator: a frame filter shows each run of
  frames in Unicorn, the C library or the dynamic loader as one line
  "[N frames in libunicorn.so.2 elided]" (`bt -no-filters` shows them all);
- `step` never enters Unicorn or the C library (skip -gfi), even when their
  debug information is installed;
- commands:
    cvisor-break-exit [REASON [ADDRESS]]  stop in vcpu_handle_exit() on an exit
                                          (of REASON; at GPA / port ADDRESS)
    cvisor-break-handler REASON|hook      stop in REASON's handler in src/core/exit.c,
                                          or in sim_host_exit() (exits taken in a hook)
    cvisor-break-walk [stage1|stage2] [all] [if EXPR]
                                          stop in a page-table walker on the guest's
                                          own accesses (all: the simulator's too)
    cvisor-walk-levels                    in a walker: run it to its end, one line per level
    cvisor-exit [EXPR]                    the exit record (default: `exit` of a caller)
  and `print *exit` shows only the operands of the exit's reason.

Docs: docs/debugging.md.
"""
import os
import re

import gdb
from gdb.FrameDecorator import FrameDecorator

# ---- Backtraces: hide the emulator and the C library -------------------------

# Shared objects whose frames a student never wants to read: the CPU
# emulator (with Unicorn's JIT-generated code, which is in no object file),
# the C library, pthreads, the dynamic loader.
HIDDEN_LIBS = re.compile(r"^(libunicorn|libc|libpthread|libm|ld-linux[^/]*|libcapstone)\.so")


def _library_of(frame):
    """The basename of the hidden shared object frame runs in, or None."""
    pc = frame.pc()
    lib = gdb.solib_name(pc)
    if lib is None:
        # Not a shared library: the program itself (every function of
        # which has a symbol), or code Unicorn generated at run time (its
        # translation blocks), which no object file holds.
        if frame.name() is None and gdb.block_for_pc(pc) is None:
            return "Unicorn's generated code"
        return None
    base = os.path.basename(lib)
    return base if HIDDEN_LIBS.match(base) else None


class _Elided(FrameDecorator):
    """One line standing for a run of hidden frames (the first of them)."""

    def __init__(self, run):
        super().__init__(run[0][0])
        self._run = run

    def function(self):
        libs = []
        for _, lib in self._run:
            if lib not in libs:
                libs.append(lib)
        n = len(self._run)
        return "[%d frame%s in %s elided]" % (n, "" if n == 1 else "s", ", ".join(libs))

    def address(self):
        return None

    def filename(self):
        return None

    def line(self):
        return None

    def frame_args(self):
        return None

    def frame_locals(self):
        return None


def _collapse(frames):
    run = []
    for d in frames:
        lib = _library_of(d.inferior_frame())
        if lib is not None:
            run.append((d, lib))
            continue
        if run:
            yield _Elided(run)
            run = []
        yield d
    if run:
        yield _Elided(run)


class HideLibrariesFilter:
    """Frame filter: each run of hidden-library frames becomes one line."""

    def __init__(self):
        self.name = "cvisor-hide-libraries"
        self.priority = 100
        self.enabled = True
        gdb.frame_filters[self.name] = self

    def filter(self, frame_iter):
        return _collapse(frame_iter)


# ---- The exit record ----------------------------------------------------------

# Which member of struct vcpu_exit's union holds each reason's operands.
OPERANDS = {
    "EXIT_MMIO": "mmio",
    "EXIT_PIO": "pio",
    "EXIT_HYPERCALL": "hypercall",
    "EXIT_SYSREG": "sysreg",
    "EXIT_STAGE2_FAULT": "s2fault",
    "EXIT_SHUTDOWN": "shutdown",
    "EXIT_FATAL": "fatal",
}

# The exit reasons as the exit trace names them (exit_reason_name()), their
# handler in src/core/exit.c (or the architecture's), and the field an
# address given to cvisor-break-exit is compared with.
REASONS = {
    "mmio": ("EXIT_MMIO", "handle_mmio", "exit->mmio.gpa"),
    "pio": ("EXIT_PIO", "handle_pio", "exit->pio.port"),
    "hypercall": ("EXIT_HYPERCALL", "vcpu_arch_hypercall", None),
    "sysreg": ("EXIT_SYSREG", "vcpu_arch_sysreg", None),
    "halt": ("EXIT_HALT", "handle_halt", None),
    "stage2-fault": ("EXIT_STAGE2_FAULT", "handle_stage2_fault", "exit->s2fault.gpa"),
    "shutdown": ("EXIT_SHUTDOWN", "vm_stop", None),
    "debug": ("EXIT_DEBUG", "vm_stop", None),
    "fatal": ("EXIT_FATAL", "vm_stop", None),
}


def _fmt_value(v):
    """A field's value: integers wider than a byte in hex, bytes in decimal, the rest as gdb prints it."""
    t = v.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_INT and t.sizeof > 1:
        return hex(int(v) & ((1 << (8 * t.sizeof)) - 1))
    if t.code == gdb.TYPE_CODE_INT:
        return str(int(v))
    return v.format_string()


def _operands(exit_val):
    """(member name, [(field, text)...]) of the union member exit's reason uses, or (None, [])."""
    reason = str(exit_val["reason"])
    member = OPERANDS.get(reason)
    if member is None:
        return None, []
    ops = exit_val[member]
    fields = []
    for f in ops.type.strip_typedefs().fields():
        v = ops[f.name]
        if f.name == "data" and reason == "EXIT_MMIO":
            text = hex(int(v))
            if 0x20 <= int(v) < 0x7f and int(ops["size"]) == 1:
                text += " '%c'" % int(v)
        elif f.name == "msg":
            text = '"%s"' % v.string(errors="replace").split("\0")[0]
        elif f.type.strip_typedefs().code == gdb.TYPE_CODE_ARRAY:
            n = f.type.strip_typedefs().range()[1] + 1
            text = "{" + ", ".join(hex(int(v[i])) for i in range(n)) + "}"
        else:
            text = _fmt_value(v)
        fields.append((f.name, text))
    return member, fields


def format_exit(exit_val):
    """The lines of cvisor-exit for a struct vcpu_exit value."""
    reason = str(exit_val["reason"])
    name = reason[5:].lower().replace("_", "-") if reason.startswith("EXIT_") else reason
    lines = [
        "%-14s %s (%s)" % ("reason", name, reason),
        "%-14s %s" % ("pc", hex(int(exit_val["pc"]))),
        "%-14s %s" % ("syndrome", hex(int(exit_val["syndrome"]))),
        "%-14s %d" % ("insn_len", int(exit_val["insn_len"])),
    ]
    member, fields = _operands(exit_val)
    for field, text in fields:
        lines.append("%-14s %s" % (member + "." + field, text))
    return lines


class VcpuExitPrinter:
    """`print *exit`: the reason, PC, syndrome and only the operands of that reason."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        return "%s pc=%s syndrome=%s" % (self.val["reason"], hex(int(self.val["pc"])),
                                          hex(int(self.val["syndrome"])))

    def children(self):
        member, _ = _operands(self.val)
        yield "insn_len", self.val["insn_len"]
        if member:
            yield member, self.val[member]


def _lookup_printer(val):
    t = val.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_STRUCT and t.tag == "vcpu_exit":
        return VcpuExitPrinter(val)
    return None


def _find_exit():
    """The exit record of the selected frame or the nearest caller that has one."""
    f = gdb.selected_frame()
    while f is not None:
        try:
            v = f.read_var("exit")
            t = v.type.strip_typedefs()
            if t.code == gdb.TYPE_CODE_PTR:
                v = v.dereference()
            if v.type.strip_typedefs().tag == "vcpu_exit":
                return v
        except (ValueError, gdb.error):
            pass
        f = f.older()
    raise gdb.GdbError("no variable `exit` (struct vcpu_exit) in this frame or its callers: "
                       "stop in vcpu_handle_exit first (cvisor-break-exit)")


class ExitCommand(gdb.Command):
    """cvisor-exit [EXPR]: prints the exit record EXPR (a struct vcpu_exit or a pointer
to one); without EXPR, the `exit` of the selected frame or its nearest caller."""

    def __init__(self):
        super().__init__("cvisor-exit", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if arg.strip():
            v = gdb.parse_and_eval(arg)
            if v.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
                v = v.dereference()
        else:
            v = _find_exit()
        for line in format_exit(v):
            gdb.write(line + "\n")


# ---- Breakpoints on the exit path ---------------------------------------------

def _reason(word):
    key = word.lower().replace("_", "-")
    if key.startswith("exit-"):
        key = key[5:]
    if key not in REASONS:
        raise gdb.GdbError("unknown exit reason %r; one of: %s" % (word, " ".join(REASONS)))
    return key


class BreakExitCommand(gdb.Command):
    """cvisor-break-exit [REASON [ADDRESS]]: stops in vcpu_handle_exit() (src/core/exit.c),
where every exit of both simulator paths arrives (sim_host_exit() inside a Unicorn
hook, vcpu_run_loop() after the CPU stopped), with `exit` the record.
REASON: mmio, pio, hypercall, sysreg, halt, stage2-fault, shutdown, debug, fatal.
ADDRESS: the GPA of an mmio or stage2-fault exit, the port of a pio exit.
Example: cvisor-break-exit mmio 0x9000000   (the PL011's data register)"""

    def __init__(self):
        super().__init__("cvisor-break-exit", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        cond = []
        if words:
            key = _reason(words[0])
            enum, _, field = REASONS[key]
            cond.append("exit->reason == %s" % enum)
            if len(words) > 1:
                if field is None:
                    raise gdb.GdbError("a %s exit has no address to compare" % key)
                cond.append("%s == %s" % (field, words[1]))
        bp = gdb.Breakpoint("vcpu_handle_exit")
        if cond:
            bp.condition = " && ".join(cond)
        gdb.write("Breakpoint %d: vcpu_handle_exit%s\n" %
                  (bp.number, " if " + bp.condition if cond else ""))


class BreakHandlerCommand(gdb.Command):
    """cvisor-break-handler REASON|hook: stops in the function that handles REASON's exits
(handle_mmio, handle_pio, handle_halt, handle_stage2_fault in src/core/exit.c;
vcpu_arch_hypercall, vcpu_arch_sysreg in src/arch/<arch>/; vm_stop for shutdown,
debug, fatal). In the -O2 build these static handlers are inlined into
vcpu_handle_exit: gdb still stops there. `hook`: sim_host_exit() (src/hal_sim/vcpu.c),
where an exit taken inside a Unicorn hook enters the core, the guest halfway
through its instruction (an MMIO access, a hypercall, a port access)."""

    def __init__(self):
        super().__init__("cvisor-break-handler", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        if len(words) != 1:
            raise gdb.GdbError("usage: cvisor-break-handler REASON")
        fn = "sim_host_exit" if words[0] == "hook" else REASONS[_reason(words[0])][1]
        gdb.Breakpoint(fn)


# ---- Breakpoints on the page-table walkers ------------------------------------

STAGE1_WALKERS = ("a64_s1_translate", "rv_s1_translate", "x86_s1_translate", "x86_s1_translate_ad")
STAGE2_WALKERS = ("stage2_translate",)

# Walks the simulator makes for itself, not for an access of the guest:
# reading the instruction at PC to decode it, deciding whether a read is
# really a fetch, reading guest-virtual memory (x86: IDT, stack, code),
# keeping Unicorn's memory map in step with stage 2, and the gdb stub's
# translations. A walk under one of these frames is not the guest's.
SIMULATOR_OWN = {
    "sim_a64_fetch", "is_fetch", "read_code", "sim_rv_fetch", "code_gpa", "fetch16", "access_gva", "access_pc",
    "sim_map_build", "map_ram", "next_run", "sim_arch_s1_walk", "sim_cpu_s1_walk",
}
# The argument `why` a sim_*_s1_walk() frame gives a fetch of its own.
OWN_WHY = ("instruction fetch",)
# Frames of a walk the guest caused: inside a Unicorn hook (the guest is
# running), or deciding an exit after the CPU stopped. cvisor's own accesses
# to guest memory while it handles an exit (vcpu_handle_exit) and the loader's
# are not the guest's.
CVISOR_OWN = {"vcpu_handle_exit", "vm_load_images", "loader_load_elf", "loader_load_raw"}
EXIT_DECIDED = {"sim_arch_stopped"}


def _why(frame):
    try:
        return frame.read_var("why").string()
    except (ValueError, gdb.error, gdb.MemoryError):
        return None


def walk_is_guests(frame):
    """(True, '') if the walk of frame 0 is for the guest's own access, else (False, the frame why not)."""
    f = frame.older()
    in_guest = False
    while f is not None:
        name = f.name()
        if name in SIMULATOR_OWN or name in CVISOR_OWN:
            return False, name
        if name and re.match(r"sim_[a-z0-9]+_s1_walk$", name) and _why(f) in OWN_WHY:
            return False, '%s("%s")' % (name, _why(f))
        if name in EXIT_DECIDED:
            in_guest = True
            break
        if _library_of(f) is not None:
            in_guest = True  # called back by Unicorn while the guest runs
            break
        f = f.older()
    return in_guest, "" if in_guest else "not under a Unicorn hook"


class WalkBreakpoint(gdb.Breakpoint):
    """A breakpoint on a walker that stops only on walks for the guest's own accesses."""

    def __init__(self, spec, everything, cond):
        super().__init__(spec)
        self.everything = everything
        self.cond = cond
        self.skipped = 0

    def stop(self):
        try:
            return self._stops()
        except gdb.error as e:  # a frame gdb cannot unwind: better stop than skip silently
            gdb.write("cvisor-break-walk: %s\n" % e)
            return True

    def _stops(self):
        # (gdb refuses `condition` on a breakpoint with a Python stop method: the script's own)
        if self.cond:
            try:
                if not bool(gdb.parse_and_eval(self.cond)):
                    return False
            except gdb.error as e:
                gdb.write("cvisor-break-walk: condition %r: %s\n" % (self.cond, e))
                return True
        if self.everything:
            return True
        ok, _ = walk_is_guests(gdb.newest_frame())
        if not ok:
            self.skipped += 1
        return ok


def _defined(fn):
    try:
        return gdb.lookup_global_symbol(fn) is not None or gdb.lookup_static_symbol(fn) is not None
    except gdb.error:
        return False


class BreakWalkCommand(gdb.Command):
    """cvisor-break-walk [stage1|stage2] [all] [if EXPR]: stops in the page-table walkers of this
simulator (a64_s1_translate, rv_s1_translate, x86_s1_translate[_ad] for stage 1,
stage2_translate for stage 2; default: both stages) when they walk for an access
of the guest: its own data access reaching a device, a fault of its own, a
shadow fill (x86), a stage-2 fault, and the stage-2 walks of those walks' table
reads. Not when the simulator reads the instruction at PC to decode it, keeps
Unicorn's map in step, loads images or serves gdb. With `all`: every walk.
With `if EXPR`: only where EXPR (in the walker's frame) is true, e.g.
  cvisor-break-walk stage1 if va == 0x80000000 && access == ACCESS_WRITE
Then `cvisor-walk-levels` runs the walk to its end and prints its levels."""

    def __init__(self):
        super().__init__("cvisor-break-walk", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        cond = None
        m = re.match(r"^(.*?)(?:^|\s)if\s+(.+)$", arg)
        if m:
            arg, cond = m.group(1), m.group(2).strip()
        words = gdb.string_to_argv(arg)
        everything = "all" in words
        words = [w for w in words if w != "all"]
        stages = words or ["stage1", "stage2"]
        fns = []
        for s in stages:
            if s in ("stage1", "1"):
                fns += STAGE1_WALKERS
            elif s in ("stage2", "2"):
                fns += STAGE2_WALKERS
            else:
                raise gdb.GdbError("usage: cvisor-break-walk [stage1|stage2] [all]")
        fns = [f for f in fns if _defined(f)]
        if not fns:
            raise gdb.GdbError("no walker of that stage in this program")
        for fn in fns:
            bp = WalkBreakpoint(fn, everything, cond)
            gdb.write("Breakpoint %d: %s (%s%s)\n" % (bp.number, fn,
                                                      "every walk" if everything else "the guest's accesses",
                                                      ", if " + cond if cond else ""))


# walk_fault_name() (src/core/walk.c)
FAULT_NAMES = {
    "FAULT_TRANSLATION": "translation",
    "FAULT_PERMISSION": "permission",
    "FAULT_ACCESS_FLAG": "access-flag",
    "FAULT_ADDR_SIZE": "address-size",
    "FAULT_OTHER": "other",
    "FAULT_TABLE_NOT_RAM": "table-not-in-ram",
}


def _perm(p, memtype, af):
    s = ("r" if p & 1 else "-") + ("w" if p & 2 else "-") + ("x" if p & 4 else "-")
    if memtype:
        s += " device"
    if not af:
        s += " no-access-flag"
    return s


def format_step(step):
    """One level as --trace=walks prints it (walk_trace_step(), src/core/walk.c)."""
    info = step["info"]
    kind = str(info["kind"])
    level = int(step["level"])
    if kind == "WALK_TABLE":
        what = "table -> %s" % hex(int(info["addr"]))
    elif kind == "WALK_LEAF":
        what = "%s -> %s %s" % ("page" if level == 3 else "block", hex(int(info["addr"])),
                                _perm(int(info["perm"]), int(info["memtype"]), bool(info["access_flag"])))
    else:
        what = "invalid"
    return "L%d table=%s [%d] = 0x%016x %s" % (level, hex(int(step["table"])), int(step["index"]),
                                                int(step["desc"]), what)


def _level_lines(filename):
    """Where each walker of filename has a level's `step` complete: the line `if (cb)`
    before `cb(&step, ctx);`, and the next statement (an optimised build may keep
    only one of them for some iterations of the loop)."""
    lines = []
    try:
        with open(filename) as f:
            text = f.read().splitlines()
    except OSError:
        return lines
    for i in range(len(text) - 1):
        if text[i].strip() == "if (cb)" and text[i + 1].strip() == "cb(&step, ctx);":
            lines.append(i + 1)
            j = i + 2
            while j < len(text) and not text[j].strip():
                j += 1
            if j < len(text):
                lines.append(j + 1)
    return lines


class _LevelBreakpoint(gdb.Breakpoint):
    """Records the walker's `step` each time it passes, without stopping."""

    def __init__(self, spec, steps):
        super().__init__(spec, internal=True)
        self.silent = True
        self.steps = steps

    def stop(self):
        try:
            step = gdb.selected_frame().read_var("step")
            level = int(step["level"])
            line = format_step(step)
        except (ValueError, gdb.error) as e:
            self.steps.setdefault(-1, "(a level not readable here: %s)" % e)
            return False
        self.steps.setdefault(level, line)
        return False


class WalkLevelsCommand(gdb.Command):
    """cvisor-walk-levels: in a page-table walker (stopped by cvisor-break-walk), runs it
to its end (`finish`) and prints each level it read, as --trace=walks does, and
what it returned. Other breakpoints hit on the way stop it as usual."""

    def __init__(self):
        super().__init__("cvisor-walk-levels", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        frame = gdb.selected_frame()
        fn = frame.name()
        if fn not in STAGE1_WALKERS + STAGE2_WALKERS:
            raise gdb.GdbError("not in a walker (%s): stop in one first (cvisor-break-walk)"
                               % ", ".join(STAGE1_WALKERS + STAGE2_WALKERS))
        symtab = frame.find_sal().symtab
        path = symtab.fullname() if symtab else None
        steps = {}
        bps = []
        for n in _level_lines(path or ""):
            try:
                bps.append(_LevelBreakpoint("%s:%d" % (path, n), steps))
            except gdb.error:
                pass  # no code for that line in this build
        stage1 = fn in STAGE1_WALKERS
        try:
            res = frame.read_var("res").dereference()
            addr = int(frame.read_var("va" if stage1 else "gpa"))
            access = str(frame.read_var("access"))[len("ACCESS_"):].lower()
            gdb.write("walk: stage-%d %s=0x%016x %s\n" % (1 if stage1 else 2, "va" if stage1 else "gpa",
                                                         addr, access))
            caller = frame.older()
            gdb.execute("finish", to_string=True)
            levels = sorted(k for k in steps if k >= 0)
            for level in levels:
                gdb.write("walk:   " + steps[level] + "\n")
            if -1 in steps:
                gdb.write(steps[-1] + "\n")
            if not bps:
                gdb.write("walk:   (no per-level line found in %s)\n" % path)
            if not gdb.selected_thread() or gdb.selected_frame() != caller:
                gdb.write("(stopped before the walk returned)\n")
                return
            if int(gdb.history(0)) == 0:
                out = "gpa" if stage1 else "hpa"
                if not levels or " table -> " in steps[levels[-1]]:
                    gdb.write("(levels this optimised build does not show: build-debug/ from "
                              "`make debug` shows each)\n")
                gdb.write("walk:   -> %s=%s\n" % (out, hex(int(res[out]))))
            else:
                gdb.write("walk:   -> %s fault at level %d\n" % (FAULT_NAMES.get(str(res["fault"]), str(res["fault"])),
                                                                int(res["level"])))
        finally:
            for bp in bps:
                bp.delete()


# ---- step: not into the emulator or the C library ----------------------------

# Source files of Unicorn (its QEMU) and of glibc, when their debug
# information is installed (Debian's libc6-dbg, debuginfod; without it,
# `step` steps over them anyway). Their debug information names them
# relative to the library's build directory ("./malloc/malloc.c",
# "../sysdeps/unix/sysv/linux/prctl.c"); cvisor's own are "src/...". A `*`
# of skip -gfi does not cross a "/", hence one pattern per depth.
SKIP_GLOBS = tuple(start + "/*" * depth for start in (".", "..") for depth in range(1, 9))


def _setup():
    HideLibrariesFilter()
    gdb.pretty_printers.append(_lookup_printer)
    for g in SKIP_GLOBS:
        gdb.execute("skip -gfi %s" % g, to_string=True)
    ExitCommand()
    BreakExitCommand()
    BreakHandlerCommand()
    BreakWalkCommand()
    WalkLevelsCommand()
    if not os.environ.get("CVISOR_GDB_QUIET"):
        gdb.write("""cvisor gdb helpers (scripts/gdb/cvisor.py; docs/debugging.md):
  cvisor-break-exit [REASON [ADDR]]   stop in vcpu_handle_exit (e.g. mmio 0x9000000)
  cvisor-break-handler REASON|hook    stop in that reason's handler (handle_mmio, ...)
  cvisor-break-walk [stage1|stage2] [all] [if EXPR]   walkers, on the guest's own accesses
  cvisor-walk-levels                  finish the walk, one line per level
  cvisor-exit [EXPR]                  the exit record (print *exit: only its operands)
  bt hides Unicorn/libc frames (bt -no-filters shows them); step skips them.
""")


_setup()
