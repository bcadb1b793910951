#!/usr/bin/env python3
"""Random but valid RV64IMAC instruction streams for differential testing (rainier-vp vs QEMU).

  gen_stream.py SEED [-o FILE.S] [--items N] [--cut K]

One seed gives one assembler file (GNU as, run through the C preprocessor so that device
addresses come from include/rainier/hw/). The program sets every register and the CSRs it
touches to seeded values, runs N random items (an item is one instruction or a short
self-contained sequence: an LR/SC pair, a bounded loop, ...), then prints x1..x31, the CSRs,
the trap log and the scratch memory in hex on UART0 and ends through sim-control.
--cut K keeps only the first K items of the same stream (for bisecting a mismatch).

Only behaviour the ISA defines is generated, and only behaviour both simulators can agree on;
see README.md for what is left out and why.
"""
import argparse
import random
import sys

XLEN_MASK = (1 << 64) - 1

# Reserved registers: sp (x2) always points at the scratch region, tp (x4) at the harness
# area used by the trap handler and the final dump. Random code reads them but never writes.
SP, TP = 2, 4
WRITABLE = [n for n in range(1, 32) if n not in (SP, TP)]
RVC_REGS = list(range(8, 16))  # x8..x15, the registers of the 3-bit compressed fields

SCRATCH_SIZE = 512  # bytes of random data that loads, stores and AMOs work on
NLOG = 16           # trap log entries (cause, tval, epc) kept by the handler
MAX_TRAPS = 12      # trap items per stream; never inside loops, so each runs at most once

# Harness area layout (offsets from tp).
H_REGS = 0                    # x0..x31 saved at the end
H_SAVE = 256                  # two words for the trap handler's temporaries
H_COUNT = H_SAVE + 16         # number of traps taken
H_LOG = H_COUNT + 8           # NLOG x (mcause, mtval, mepc)
H_CSR = H_LOG + NLOG * 24     # CSR values read at the end
DUMP_CSRS = ["mscratch", "sscratch", "mepc", "sepc", "mtval", "stval", "mcause", "scause",
             "mie", "mstatus", "sstatus", "misa", "mhartid"]
H_SIZE = H_CSR + 8 * len(DUMP_CSRS)

# mstatus bits that are safe to write in M-mode: SIE, SPIE, MPIE, SPP, MPP, SUM, MXR, TVM, TW,
# TSR. Never MIE (QEMU's timer is pending from reset) and never MPRV (U-mode data accesses
# would hit QEMU's PMP, which denies everything while no entry is set).
MSTATUS_SAFE = (1 << 1) | (1 << 5) | (1 << 7) | (1 << 8) | (3 << 11) | (1 << 18) | (1 << 19) \
    | (1 << 20) | (1 << 21) | (1 << 22)
MPP_MASK = 3 << 11
SSTATUS_SAFE = (1 << 1) | (1 << 5) | (1 << 8) | (1 << 18) | (1 << 19)
MIE_SAFE = 0xaaa  # the interrupt-enable bits both simulators implement
# Cause registers are WLRL: only values the hart can produce are written.
MCAUSE_LEGAL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15] + \
    [(1 << 63) | i for i in (1, 3, 5, 7, 9, 11)]
SCAUSE_LEGAL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 15] + [(1 << 63) | i for i in (1, 5, 9)]

ALU_RR = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
          "addw", "subw", "sllw", "srlw", "sraw"]
ALU_I = ["addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"]
SHIFT_I = {"slli": 63, "srli": 63, "srai": 63, "slliw": 31, "srliw": 31, "sraiw": 31}
MULDIV = ["mul", "mulh", "mulhsu", "mulhu", "mulw", "div", "divu", "rem", "remu",
          "divw", "divuw", "remw", "remuw"]
LOADS = {"lb": 1, "lbu": 1, "lh": 2, "lhu": 2, "lw": 4, "lwu": 4, "ld": 8}
STORES = {"sb": 1, "sh": 2, "sw": 4, "sd": 8}
AMOS = ["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu",
        "amomaxu"]
AQRL = ["", ".aq", ".rl", ".aqrl"]
BRANCHES = ["beq", "bne", "blt", "bge", "bltu", "bgeu"]
# (funct7, funct3, opcode) of register-register ops, for instructions written as data.
R_TYPE = [(0x00, 0, 0x33), (0x20, 0, 0x33), (0x00, 1, 0x33), (0x00, 2, 0x33), (0x00, 3, 0x33),
          (0x00, 4, 0x33), (0x00, 5, 0x33), (0x20, 5, 0x33), (0x00, 6, 0x33), (0x00, 7, 0x33),
          (0x01, 0, 0x33), (0x01, 4, 0x33), (0x01, 6, 0x33), (0x00, 0, 0x3b), (0x20, 0, 0x3b),
          (0x01, 0, 0x3b), (0x01, 5, 0x3b)]  # RV64I ALU, mul, div, rem, addw, subw, mulw, divuw


def x(n):
    return f"x{n}"


def rvc(line):
    """A compressed instruction, spelled out: the rest of the file is assembled with norvc."""
    return [f".option push; .option rvc; {line}; .option pop"]



class Generator:
    def __init__(self, seed, n_items):
        self.rng = random.Random(seed)
        self.seed = seed
        self.n_items = n_items
        self.labels = 0
        self.traps = 0
        # index of the item before which a label goes -> label names
        self.targets = {}
        # no loop or SMC item before this index: a compressed branch (+-256 bytes) jumps over it
        self.small_until = 0

    # ---- values and operands ---------------------------------------------------------

    def value(self):
        """A 64-bit value, often one that sits on an edge for some instruction."""
        r = self.rng
        c = r.random()
        if c < 0.35:
            return r.choice([0, 1, 2, XLEN_MASK, 1 << 63, (1 << 63) - 1, 0x7fffffff,
                             0x80000000, 0xffffffff, 0xffffffff80000000, 1 << 32, 31, 32, 63,
                             64, 0xffff, 0x8000, 0xff, 0x80])
        if c < 0.55:
            return r.randint(-2048, 2047) & XLEN_MASK
        if c < 0.7:
            return r.getrandbits(32)
        if c < 0.8:
            return (r.getrandbits(32) - (1 << 31)) & XLEN_MASK  # sign-extended 32-bit
        return r.getrandbits(64)

    def rd(self, avoid=(), x0=0.05):
        if self.rng.random() < x0:
            return 0
        return self.rng.choice([r for r in WRITABLE if r not in avoid])

    def rs(self):
        return self.rng.randrange(32)

    def rvc_rd(self, avoid=()):
        return self.rng.choice([r for r in RVC_REGS if r not in avoid])

    def label(self):
        self.labels += 1
        return f".L{self.labels}"

    def forward(self, index, short=False):
        """A label a few items ahead of item `index`."""
        name = self.label()
        distance = self.rng.randint(0, 2 if short else 8)
        target = index + 1 + distance
        self.targets.setdefault(target, []).append(name)
        if short:
            self.small_until = max(self.small_until, target)
        return name

    def li(self, reg, v):
        return f"li {x(reg)}, {v:#x}"

    # ---- item generators (each returns a list of lines) ------------------------------

    def alu(self, avoid=()):
        r = self.rng
        c = r.random()
        if c < 0.35:
            return [f"{r.choice(ALU_RR)} {x(self.rd(avoid))}, {x(self.rs())}, {x(self.rs())}"]
        if c < 0.65:
            return [f"{r.choice(ALU_I)} {x(self.rd(avoid))}, {x(self.rs())}, "
                    f"{r.randint(-2048, 2047)}"]
        if c < 0.85:
            # rd = x0 never: `slli x0, x0, 0x1f` is half of the semihosting marker.
            op, top = r.choice(list(SHIFT_I.items()))
            return [f"{op} {x(self.rd(avoid, x0=0))}, {x(self.rs())}, {r.randint(0, top)}"]
        if c < 0.92:
            return [f"lui {x(self.rd(avoid))}, {r.randint(0, 0xfffff):#x}"]
        return [f"auipc {x(self.rd(avoid))}, {r.randint(0, 0xfffff):#x}"]

    def load_value(self, avoid=()):
        """li of a fresh value into a random register: keeps the register file interesting."""
        return [self.li(self.rd(avoid, x0=0), self.value())]

    def muldiv(self, avoid=()):
        r = self.rng
        op = r.choice(MULDIV)
        d = self.rd(avoid)
        c = r.random()
        if c < 0.15 and op not in ("mul", "mulh", "mulhsu", "mulhu", "mulw"):
            # Division by zero, on purpose.
            a, b = self.rs(), self.rd(avoid, x0=0)
            return [f"li {x(b)}, 0", f"{op} {x(d)}, {x(a)}, {x(b)}"]
        if c < 0.3:
            # Overflow: the most negative value divided by -1 (or multiplied).
            a = self.rd(avoid, x0=0)
            b = self.rd(set(avoid) | {a}, x0=0)
            lo, m1 = 1 << 63, XLEN_MASK
            if op.endswith("w"):
                lo = 0xffffffff80000000
                if r.random() < 0.3:  # W ops must ignore the upper halves
                    lo = 0x80000000 | (r.getrandbits(32) << 32)
                    m1 = 0xffffffff | (r.getrandbits(32) << 32)
            return [self.li(a, lo), self.li(b, m1), f"{op} {x(d)}, {x(a)}, {x(b)}"]
        return [f"{op} {x(d)}, {x(self.rs())}, {x(self.rs())}"]

    def mem_target(self, size, aligned):
        """An offset into the scratch region for an access of `size` bytes."""
        if aligned:
            return self.rng.randrange(0, SCRATCH_SIZE, size)
        return self.rng.randint(0, SCRATCH_SIZE - size)

    def mem(self, avoid=()):
        r = self.rng
        load = r.random() < 0.55
        op, size = r.choice(list((LOADS if load else STORES).items()))
        # Plain loads and stores may be misaligned: both simulators do them in hardware.
        t = self.mem_target(size, r.random() < 0.8)
        if r.random() < 0.4:
            base, lines, off = SP, [], t
        else:
            # Another base register, pointing somewhere near the region (either sign of offset).
            base = self.rd(avoid, x0=0)
            off = r.randint(-1500, 1500)
            lines = [f"addi {x(base)}, {x(SP)}, {t - off}"]
        if load:
            return lines + [f"{op} {x(self.rd(avoid))}, {off}({x(base)})"]
        return lines + [f"{op} {x(self.rs())}, {off}({x(base)})"]

    def mem_rvc(self, avoid=()):
        r = self.rng
        c = r.random()
        if c < 0.5:
            # c.lw/c.ld/c.sw/c.sd: base and data in x8..x15, scaled unsigned offset.
            op = r.choice(["c.lw", "c.ld", "c.sw", "c.sd"])
            size = 4 if op in ("c.lw", "c.sw") else 8
            off = r.randrange(0, 32 * size, size)
            t = self.mem_target(size, r.random() < 0.8)
            base = self.rvc_rd(avoid)
            lines = [f"addi {x(base)}, {x(SP)}, {t - off}"]
            if op in ("c.lw", "c.ld"):
                data = self.rvc_rd(avoid)
            else:
                data = r.choice(RVC_REGS)
            return lines + rvc(f"{op} {x(data)}, {off}({x(base)})")
        # sp-relative forms; sp is aligned, so these are always aligned.
        op = r.choice(["c.lwsp", "c.ldsp", "c.swsp", "c.sdsp"])
        size = 4 if op in ("c.lwsp", "c.swsp") else 8
        off = r.randrange(0, min(64 * size, SCRATCH_SIZE - size + 1), size)
        if op in ("c.lwsp", "c.ldsp"):
            return rvc(f"{op} {x(self.rd(avoid, x0=0))}, {off}({x(SP)})")
        return rvc(f"{op} {x(self.rs())}, {off}({x(SP)})")

    def alu_rvc(self, avoid=()):
        r = self.rng
        ops = ["c.addi", "c.addiw", "c.li", "c.lui", "c.add", "c.mv", "c.slli", "c.nop",
               "c.srli", "c.srai", "c.andi", "c.sub", "c.xor", "c.or", "c.and", "c.subw",
               "c.addw", "c.addi4spn", "c.addi16sp"]
        op = r.choice(ops)
        full = self.rd(avoid, x0=0)  # rd for the forms with a 5-bit field (never x0: HINTs)
        short = self.rvc_rd(avoid)
        if op in ("c.addi", "c.addiw"):
            imm = r.choice([i for i in range(-32, 32) if i != 0])
            return rvc(f"{op} {x(full)}, {imm}")
        if op == "c.li":
            return rvc(f"c.li {x(full)}, {r.randint(-32, 31)}")
        if op == "c.lui":
            # nzimm != 0; rd != x2 (that encoding is c.addi16sp).
            imm = r.choice(list(range(1, 32)) + list(range(0xfffe0, 0x100000)))
            d = self.rd(set(avoid) | {SP}, x0=0)
            return rvc(f"c.lui {x(d)}, {imm:#x}")
        if op in ("c.add", "c.mv"):
            src = r.choice([i for i in range(1, 32)])
            return rvc(f"{op} {x(full)}, {x(src)}")
        if op == "c.slli":
            return rvc(f"c.slli {x(full)}, {r.randint(1, 63)}")
        if op == "c.nop":
            return rvc("c.nop")
        if op in ("c.srli", "c.srai"):
            return rvc(f"{op} {x(short)}, {r.randint(1, 63)}")
        if op == "c.andi":
            return rvc(f"c.andi {x(short)}, {r.randint(-32, 31)}")
        if op == "c.addi4spn":
            return rvc(f"c.addi4spn {x(short)}, sp, {r.randrange(4, 1024, 4)}")
        if op == "c.addi16sp":
            # Moves sp and back again: sp must stay the scratch base.
            imm = r.choice([i for i in range(-496, 497, 16) if i != 0])
            return rvc(f"c.addi16sp sp, {imm}") + rvc(f"c.addi16sp sp, {-imm}")
        return rvc(f"{op} {x(short)}, {x(r.choice(RVC_REGS))}")

    def amo(self, avoid=()):
        r = self.rng
        size = r.choice([4, 8])
        a = self.rd(avoid, x0=0)
        t = self.mem_target(size, True)  # never misaligned: the simulators differ on the cause
        op = f"{r.choice(AMOS)}.{'w' if size == 4 else 'd'}{r.choice(AQRL)}"
        return [f"addi {x(a)}, {x(SP)}, {t}", f"{op} {x(self.rd(avoid))}, {x(self.rs())}, ({x(a)})"]

    def lrsc(self, avoid=()):
        """LR then SC of the same size. Between them only register-only instructions (no
        memory access, no trap): what a same-hart store does to the reservation is the
        implementation's choice, and QEMU's SC compares values rather than keeping a
        reservation."""
        r = self.rng
        size = r.choice([4, 8])
        sfx = ("w" if size == 4 else "d")
        a = self.rd(avoid, x0=0)
        avoid2 = set(avoid) | {a}
        d = self.rd(avoid2, x0=0)
        lines = [f"addi {x(a)}, {x(SP)}, {self.mem_target(size, True)}",
                 f"lr.{sfx}{r.choice(AQRL)} {x(d)}, ({x(a)})"]
        for _ in range(r.randint(0, 3)):
            lines += r.choice([self.alu, self.alu_rvc])(avoid2)
        addr = a
        if r.random() < 0.2:
            # SC to another address: must fail (and clears the reservation).
            addr = self.rd(avoid2, x0=0)
            t = self.mem_target(size, True)
            lines.append(f"addi {x(addr)}, {x(SP)}, {t}")
        # The SC's rd never overwrites the address: a second SC may follow.
        lines.append(f"sc.{sfx}{r.choice(AQRL)} {x(self.rd(set(avoid) | {addr}))}, "
                     f"{x(self.rs())}, ({x(addr)})")
        if r.random() < 0.2:
            # A second SC without a reservation: fails.
            lines.append(f"sc.{sfx} {x(self.rd(avoid))}, {x(self.rs())}, ({x(addr)})")
        return lines

    def fence(self, avoid=()):
        return [self.rng.choice(["fence", "fence rw, rw", "fence r, w", "fence iorw, iorw",
                                 "fence.i"])]

    def csr_value(self, csr, how):
        """A value that may legally reach `csr` through csrrw (how='w'), csrrs ('s') or
        csrrc ('c')."""
        r = self.rng
        if csr in ("mcause", "scause"):
            # WLRL: whole legal values only; set/clear forms just read (operand 0).
            if how != "w":
                return 0
            return r.choice(MCAUSE_LEGAL if csr == "mcause" else SCAUSE_LEGAL)
        if csr == "mstatus":
            v = r.getrandbits(64) & MSTATUS_SAFE
            if how == "w":
                if v & MPP_MASK == (2 << 11):  # MPP = 2 is reserved
                    v &= ~MPP_MASK
            else:  # set or clear MPP as a whole, never one bit of it
                v = (v & ~MPP_MASK) | (MPP_MASK if r.random() < 0.3 else 0)
            return v
        if how == "c":
            return self.value()  # clearing bits cannot make any other value illegal
        if csr in ("mepc", "sepc"):
            return self.value() & ~1  # QEMU keeps bit 0; the spec says it reads as zero
        if csr == "mie":
            return r.getrandbits(12) & MIE_SAFE
        if csr == "sstatus":
            return r.getrandbits(64) & SSTATUS_SAFE
        return self.value()  # mscratch, sscratch, mtval, stval

    def csr(self, avoid=()):
        r = self.rng
        csr = r.choice(["mscratch", "sscratch", "mtval", "stval", "mepc", "sepc", "mcause",
                        "scause", "mie", "mstatus", "sstatus", "misa", "mhartid"])
        d = self.rd(avoid)
        if csr in ("misa", "mhartid"):
            return [r.choice([f"csrr {x(d)}, {csr}", f"csrrs {x(d)}, {csr}, x0",
                              f"csrrc {x(d)}, {csr}, x0", f"csrrsi {x(d)}, {csr}, 0"])]
        how = r.choice("wsc")
        op = {"w": "csrrw", "s": "csrrs", "c": "csrrc"}[how]
        v = self.csr_value(csr, how)
        if v < 32 and r.random() < 0.5:
            return [f"{op}i {x(d)}, {csr}, {v}"]
        if how == "s" and v == 0 and r.random() < 0.5:
            return [f"csrrs {x(d)}, {csr}, x0"]  # a pure read
        src = self.rd(avoid, x0=0)
        return [self.li(src, v), f"{op} {x(d)}, {csr}, {x(src)}"]

    def trap(self, avoid=()):
        """An instruction that traps; the handler logs mcause/mtval/mepc and skips it."""
        r = self.rng
        self.traps += 1
        c = r.randrange(7)
        if c == 0:
            return ["ecall"]
        if c == 1:
            return ["ebreak"]
        if c == 2:
            return rvc("c.ebreak")
        if c == 3:
            return [".half 0x0000"]  # the all-zero 16-bit instruction is defined illegal
        if c == 4:
            # Write to a read-only CSR (mhartid; `unimp` is csrrw x0, cycle, x0).
            return [r.choice([f"csrw mhartid, {x(self.rs())}", "unimp"])]
        if c == 5:
            # custom-0..3 major opcodes: no extension there on either simulator.
            opc = r.choice([0x0b, 0x2b, 0x5b, 0x7b])
            return [f".word {(r.getrandbits(25) << 7) | opc:#010x}"]
        # Reserved RV64 encodings: slliw/srliw/sraiw with shamt[5] set.
        f3, f7 = r.choice([(1, 0x01), (5, 0x01), (5, 0x21)])
        word = (f7 << 25) | (r.getrandbits(5) << 20) | (r.getrandbits(5) << 15) | (f3 << 12) \
            | (r.getrandbits(5) << 7) | 0x1b
        return [f".word {word:#010x}"]

    def branch(self, index):
        """A forward branch or jump to a label a few items ahead."""
        r = self.rng
        c = r.random()
        if c < 0.45:
            return [f"{r.choice(BRANCHES)} {x(self.rs())}, {x(self.rs())}, {self.forward(index)}"]
        if c < 0.55:
            return rvc(f"{r.choice(['c.beqz', 'c.bnez'])} {x(r.choice(RVC_REGS))}, "
                       f"{self.forward(index, short=True)}")
        if c < 0.7:
            return [f"jal {x(self.rd())}, {self.forward(index)}"]
        if c < 0.75:
            return rvc(f"c.j {self.forward(index, short=True)}")
        # jalr through a register; an odd target checks that bit 0 is cleared.
        t = self.rd(x0=0)
        target = self.forward(index)
        c = r.random()
        if c < 0.3:
            return [f"la {x(t)}, {target}"] + rvc(f"{r.choice(['c.jr', 'c.jalr'])} {x(t)}")
        off = r.choice([0, 1, r.randint(-64, 64)])
        return [f"la {x(t)}, {target}", f"addi {x(t)}, {x(t)}, {-off}",
                f"jalr {x(self.rd())}, {off}({x(t)})"]

    def encoded_op(self, avoid):
        """The encoding of a random register-register op or addi, for self-modifying code."""
        r = self.rng
        rd, rs1, rs2 = self.rd(avoid, x0=0), self.rs(), self.rs()
        if r.random() < 0.3:
            imm = r.randint(-2048, 2047) & 0xfff
            return (imm << 20) | (rs1 << 15) | (rd << 7) | 0x13  # addi
        f7, f3, opc = r.choice(R_TYPE)
        return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc

    def smc(self):
        """Self-modifying code, made visible with fence.i: a slot runs twice in a loop, with
        one instruction written there before the loop and another one after the first pass."""
        r = self.rng
        a = self.rd(x0=0)
        v = self.rd({a}, x0=0)
        cnt = self.rd({a, v}, x0=0)
        slot, top = self.label(), self.label()
        first, second = self.encoded_op({a, cnt}), self.encoded_op({a, cnt})
        return [f"la {x(a)}, {slot}", self.li(v, first), f"sw {x(v)}, 0({x(a)})", "fence.i",
                f"li {x(cnt)}, 2", f"{top}:", f"{slot}:", ".word 0x00000013",
                self.li(v, second), f"sw {x(v)}, 0({x(a)})", "fence.i",
                f"addi {x(cnt)}, {x(cnt)}, -1", f"bnez {x(cnt)}, {top}"]

    def loop(self):
        """A bounded backward loop: counter in a register that the body does not write."""
        r = self.rng
        cnt = self.rd(x0=0)
        top = self.label()
        lines = [f"li {x(cnt)}, {r.randint(1, 5)}", f"{top}:"]
        body = [self.alu, self.alu, self.muldiv, self.mem, self.mem_rvc, self.alu_rvc,
                self.amo, self.lrsc, self.csr]
        for _ in range(r.randint(1, 4)):
            lines += r.choice(body)({cnt})
        lines.append(f"addi {x(cnt)}, {x(cnt)}, -1")
        lines.append(f"bnez {x(cnt)}, {top}")
        return lines

    def items(self):
        r = self.rng
        kinds = [(self.alu, 30), (self.load_value, 4), (self.muldiv, 10), (self.mem, 14),
                 (self.mem_rvc, 5), (self.alu_rvc, 10), (self.amo, 5), (self.lrsc, 3),
                 (self.fence, 1), (self.csr, 6), ("trap", 2), ("branch", 8), ("loop", 2),
                 ("smc", 1)]
        fns, weights = zip(*kinds)
        out = []
        for i in range(self.n_items):
            while True:
                k = r.choices(fns, weights)[0]
                if k == "trap" and self.traps >= MAX_TRAPS:
                    continue
                if k in ("loop", "smc") and i < self.small_until:
                    continue
                break
            if k == "trap":
                out.append(self.trap())
            elif k == "branch":
                out.append(self.branch(i))
            elif k == "loop":
                out.append(self.loop())
            elif k == "smc":
                out.append(self.smc())
            else:
                out.append(k())
        return out

    # ---- the whole program ---------------------------------------------------------

    def program(self, cut=None):
        r = self.rng
        items = self.items()
        if cut is not None:
            items = items[:cut]
        scratch = [r.getrandbits(64) for _ in range(SCRATCH_SIZE // 8)]
        init_regs = [(n, self.value()) for n in WRITABLE]
        init_csrs = [(c, self.csr_value(c, "w")) for c in
                     ["mscratch", "sscratch", "mtval", "stval", "mepc", "sepc", "mcause",
                      "scause", "mie", "mstatus"]]
        out = [f"/* Differential test stream, seed {self.seed}, {len(items)} items. "
               f"Generated by tests/diff/gen_stream.py. */",
               '#include "rainier/hw/memory_map.h"',
               '#include "rainier/hw/uart16550.h"',
               '#include "rainier/hw/simctl.h"',
               f"#define H_SAVE {H_SAVE}", f"#define H_COUNT {H_COUNT}",
               f"#define H_LOG {H_LOG}", f"#define NLOG {NLOG}",
               "    .option norvc", "    .option norelax",
               '    .section .text.init, "ax"', "    .globl _start", "_start:",
               "    la t0, trap_handler", "    csrw mtvec, t0",
               "    la tp, harness", "    la sp, scratch"]
        for c, v in init_csrs:
            out += [f"    li t0, {v:#x}", f"    csrw {c}, t0"]
        for n, v in init_regs:
            out.append(f"    li {x(n)}, {v:#x}")
        out.append("stream_begin:")
        for i, it in enumerate(items):
            for name in self.targets.get(i, []):
                out.append(f"{name}:")
            out.append(f"/* item {i} */")
            out += ["    " + l if not l.endswith(":") else l for l in it]
        for t in sorted(self.targets):
            if t >= len(items):
                out += [f"{name}:" for name in self.targets[t]]
        out.append("stream_end:")
        out += [f"    sd {x(n)}, {H_REGS + 8 * n}(tp)" for n in range(1, 32)]
        for i, c in enumerate(DUMP_CSRS):
            out += [f"    csrr t0, {c}", f"    sd t0, {H_CSR + 8 * i}(tp)"]
        out.append("    j dump")
        out.append(TRAILER)
        out += self.data(scratch)
        return "\n".join(out) + "\n"

    def data(self, scratch):
        """The scratch region, the harness area and the dump table (name, address) pairs."""
        out = ["    .data", "    .balign 64", "scratch:"]
        out += [f"    .dword {v:#018x}" for v in scratch]
        out += ["    .balign 64", "harness:", f"    .zero {H_SIZE}", "    .balign 8",
                "dump_table:"]
        names = [(f"x{n:02d}", f"harness+{H_REGS + 8 * n}") for n in range(1, 32)]
        names += [(c, f"harness+{H_CSR + 8 * i}") for i, c in enumerate(DUMP_CSRS)]
        names.append(("traps", f"harness+{H_COUNT}"))
        for i in range(NLOG):
            for j, f in enumerate(["cause", "tval", "epc"]):
                names.append((f"t{i:02d}.{f}", f"harness+{H_LOG + 24 * i + 8 * j}"))
        names += [(f"m{o:03x}", f"scratch+{o}") for o in range(0, SCRATCH_SIZE, 8)]
        strs = []
        for i, (n, addr) in enumerate(names):
            out.append(f"    .dword .Lname{i}, {addr}")
            strs.append(f'.Lname{i}: .asciz "{n} "')
        out.append("    .dword 0, 0")
        return out + strs


# The trap handler, the dump and the end: the same in every stream.
TRAILER = r"""
/* Trap handler: logs mcause, mtval and mepc, then resumes after the trapping instruction
 * (its length read from its own low bits). Uses only tp, which random code never writes.
 * mtvec needs 4-byte alignment; without rvc, GAS cannot pad a 2-byte gap. */
    .option rvc
    .balign 4
    .option norvc
trap_handler:
    sd t0, H_SAVE(tp)
    sd t1, H_SAVE+8(tp)
    ld t0, H_COUNT(tp)
    addi t1, t0, 1
    sd t1, H_COUNT(tp)
    li t1, NLOG
    bgeu t0, t1, 1f
    slli t1, t0, 1
    add t0, t0, t1
    slli t0, t0, 3
    add t0, t0, tp
    csrr t1, mcause
    sd t1, H_LOG(t0)
    csrr t1, mtval
    sd t1, H_LOG+8(t0)
    csrr t1, mepc
    sd t1, H_LOG+16(t0)
1:  csrr t0, mepc
    lhu t1, 0(t0)
    andi t1, t1, 3
    addi t0, t0, 2
    addi t1, t1, -3
    bnez t1, 2f
    addi t0, t0, 2
2:  csrw mepc, t0
    ld t0, H_SAVE(tp)
    ld t1, H_SAVE+8(tp)
    mret

/* Dump: for each (name, address) in dump_table print "name hex16" on its own line. */
dump:
    la s0, dump_table
3:  ld a0, 0(s0)
    beqz a0, 5f
    jal puts
    ld a0, 8(s0)
    ld a0, 0(a0)
    jal puthex
    li a0, '\n'
    jal putc
    addi s0, s0, 16
    j 3b
5:  li t0, RAINIER_SIMCTL_BASE
    li t1, SIMCTL_FINISHER_PASS
    sw t1, SIMCTL_FINISHER(t0)
6:  j 6b

/* putc(a0): polls THRE, clobbers t0, t1. */
putc:
    li t0, RAINIER_UART0_BASE
7:  lbu t1, UART_LSR(t0)
    andi t1, t1, UART_LSR_THRE
    beqz t1, 7b
    sb a0, UART_THR(t0)
    ret

/* puts(a0): clobbers t0-t3, a0. */
puts:
    mv t2, ra
    mv t3, a0
8:  lbu a0, 0(t3)
    beqz a0, 9f
    jal putc
    addi t3, t3, 1
    j 8b
9:  jr t2

/* puthex(a0): 16 hex digits, clobbers t0-t5, a0. */
puthex:
    mv t2, ra
    mv t3, a0
    li t4, 60
10: srl a0, t3, t4
    andi a0, a0, 15
    la t5, hexdigits
    add t5, t5, a0
    lbu a0, 0(t5)
    jal putc
    addi t4, t4, -4
    bgez t4, 10b
    jr t2

hexdigits: .ascii "0123456789abcdef"
"""


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("seed", type=int)
    p.add_argument("-o", "--output", help="output file (default stdout)")
    p.add_argument("--items", type=int, help="stream length in items (default: from the seed)")
    p.add_argument("--cut", type=int, help="keep only the first CUT items")
    a = p.parse_args()
    text = generate(a.seed, a.items, a.cut)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


def generate(seed, items=None, cut=None):
    if items is None:
        # A few hundred to a few thousand instructions (an item averages about two).
        items = random.Random(seed * 7919 + 1).randint(150, 1500)
    return Generator(seed, items).program(cut)


if __name__ == "__main__":
    main()
