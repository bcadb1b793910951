/* S-mode entry of the payload that OpenSBI's fw_jump starts: a0 = hart id, a1 = device tree. */
    .section .text.init.enter, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    payload_main
    /* payload_main powers off; if that ever returns, stay here. */
3:  wfi
    j       3b
