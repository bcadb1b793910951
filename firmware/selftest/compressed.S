/* Hand-written C-extension code: every RV64C form except the floating-point ones (this core
 * has no F/D), each spelled out as c.* so the encoding is known. Functions follow the C ABI;
 * test_compressed.c checks what they return. */
    .option rvc
    .text

    .globl cx_li_addi            /* () -> 4 */
cx_li_addi:
    c.li    a0, 31
    c.addi  a0, -32
    c.addi  a0, 5
    c.nop
    c.jr    ra

    .globl cx_addiw1             /* (x) -> sext32(x + 1) */
cx_addiw1:
    c.addiw a0, 1
    c.jr    ra

    .globl cx_addiw0             /* (x) -> sext32(x) */
cx_addiw0:
    c.addiw a0, 0
    c.jr    ra

    .globl cx_lui_pos            /* () -> 0x1f000 */
cx_lui_pos:
    c.lui   a0, 0x1f
    c.jr    ra

    .globl cx_lui_neg            /* () -> -0x20000 */
cx_lui_neg:
    c.lui   a0, 0xfffe0
    c.jr    ra

    .globl cx_sp_adjust          /* () -> 48: addi4spn offset seen from the caller's sp */
cx_sp_adjust:
    c.mv    a1, sp
    c.addi16sp sp, -64
    c.addi4spn a0, sp, 16
    c.addi16sp sp, 64
    c.sub   a1, a0
    c.mv    a0, a1
    c.jr    ra

    .globl cx_stack_mem          /* (x, out[2]): out = {ldsp(sdsp x), lwsp(swsp x)} */
cx_stack_mem:
    c.addi16sp sp, -32
    c.sdsp  a0, 8(sp)
    c.ldsp  a2, 8(sp)
    c.swsp  a0, 16(sp)
    c.lwsp  a3, 16(sp)
    c.addi16sp sp, 32
    c.sd    a2, 0(a1)
    c.sd    a3, 8(a1)
    c.jr    ra

    .globl cx_reg_mem            /* (x, buf[4]): sw/lw at +4, sd/ld at +8, results at +16/+24 */
cx_reg_mem:
    c.sw    a0, 4(a1)
    c.lw    a2, 4(a1)
    c.sd    a0, 8(a1)
    c.ld    a3, 8(a1)
    c.sd    a2, 16(a1)
    c.sd    a3, 24(a1)
    c.jr    ra

    .globl cx_srli1
cx_srli1:
    c.srli  a0, 1
    c.jr    ra
    .globl cx_srli63
cx_srli63:
    c.srli  a0, 63
    c.jr    ra
    .globl cx_srai32
cx_srai32:
    c.srai  a0, 32
    c.jr    ra
    .globl cx_srai63
cx_srai63:
    c.srai  a0, 63
    c.jr    ra
    .globl cx_slli32
cx_slli32:
    c.slli  a0, 32
    c.jr    ra
    .globl cx_slli63
cx_slli63:
    c.slli  a0, 63
    c.jr    ra
    .globl cx_andi_m16
cx_andi_m16:
    c.andi  a0, -16
    c.jr    ra
    .globl cx_andi_31
cx_andi_31:
    c.andi  a0, 31
    c.jr    ra

    .globl cx_sub
cx_sub:
    c.sub   a0, a1
    c.jr    ra
    .globl cx_xor
cx_xor:
    c.xor   a0, a1
    c.jr    ra
    .globl cx_or
cx_or:
    c.or    a0, a1
    c.jr    ra
    .globl cx_and
cx_and:
    c.and   a0, a1
    c.jr    ra
    .globl cx_subw
cx_subw:
    c.subw  a0, a1
    c.jr    ra
    .globl cx_addw
cx_addw:
    c.addw  a0, a1
    c.jr    ra
    .globl cx_add
cx_add:
    c.add   a0, a1
    c.jr    ra
    .globl cx_mv                 /* (x, y) -> y, through a register outside x8..x15 */
cx_mv:
    c.mv    t0, a1
    c.mv    a0, t0
    c.jr    ra
    .globl cx_li_upper           /* () -> -1 + 8 loaded into x31, outside the c.* subset */
cx_li_upper:
    c.li    t6, -1
    c.addi  t6, 8
    c.mv    a0, t6
    c.jr    ra

    .globl cx_loop               /* (n) -> 3 * n with c.beqz, c.j */
cx_loop:
    c.li    a1, 0
1:  c.beqz  a0, 2f
    c.addi  a1, 3
    c.addi  a0, -1
    c.j     1b
2:  c.mv    a0, a1
    c.jr    ra

    .globl cx_bnez               /* (x) -> x != 0 */
cx_bnez:
    c.mv    a1, a0
    c.li    a0, 1
    c.bnez  a1, 1f
    c.li    a0, 0
1:  c.jr    ra

    .globl cx_jalr_link          /* () -> link written by c.jalr minus its address: 2 */
cx_jalr_link:
    c.mv    a5, ra
    lla     a1, 2f
1:  c.jalr  a1
2:  lla     a2, 1b
    sub     a0, ra, a2
    c.mv    ra, a5
    c.jr    ra

    .globl cx_call               /* (fn) -> fn() through c.jalr */
cx_call:
    c.addi  sp, -16
    c.sdsp  ra, 8(sp)
    c.jalr  a0
    c.ldsp  ra, 8(sp)
    c.addi  sp, 16
    c.jr    ra

    .globl cx_ebreak             /* (addr_out) -> stores the address of its c.ebreak */
cx_ebreak:
    lla     a1, 1f
    c.sd    a1, 0(a0)
1:  c.ebreak
    c.li    a0, 7
    c.jr    ra
