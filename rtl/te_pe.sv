// Processing element of the weight-stationary array. Moving operands and the bank-swap
// token travel right, partial sums travel down. Two weight registers: w_sh_q is written
// by LoadStationary, w_act_q is used by MultiplyMoving and takes w_sh_q when the swap
// token passes, at the edge that registers the first moving operand that needs it.
//
// The PE registers its inputs (x_q, psum_q) and its multiply-add reads registers only:
// psum_o is combinational. So no logic of a te_row depends combinationally on the row's
// inputs beyond the weight-write enable, which keeps a hierarchically verilated row from
// re-evaluating its datapath whenever an input changes (te_core.cmake, HIERARCHICAL).
//
// Multiply-add (docs/numerics.md): psum_o = psum_q + w * x_q, the product of two BF16
// operands exact in FP32 (an 8x8-bit significand product fits), the sum rounded to nearest
// even; subnormal results flush to a zero of their sign, every NaN is 0x7fc00000.
// Inactive rows (at or beyond K) pass the partial sum through unchanged.
//
// The datapath's temporaries are automatic variables of one always_comb block: Verilator
// keeps those as C++ locals, where function temporaries would become per-PE members
// (1.8x slower at 16x16).
module te_pe (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [15:0] x_i,
  input  logic        swap_i,
  input  logic        ld_we_i,
  input  logic [16:0] ld_w_i,
  input  logic [31:0] psum_i,
  output logic [15:0] x_o,
  output logic        swap_o,
  output logic [31:0] psum_o
);

  logic [15:0] x_q;
  logic        swap_q;
  logic [16:0] w_sh_q;   // {row active, BF16 weight}
  logic [16:0] w_act_q;
  logic [31:0] psum_q;

  always_comb begin : p_mac
    // product
    automatic logic        p_sign, w_nan, x_nan, w_inf, x_inf, w_zero, x_zero;
    automatic logic [15:0] p_sig;
    automatic logic [9:0]  p_exp;
    automatic logic [31:0] p;
    // sum
    automatic logic        a_nan, b_nan, a_inf, b_inf, a_zero, b_zero, a_big, sub, up;
    automatic logic [31:0] a, b, big, s;
    automatic logic [30:0] sml;
    automatic logic [7:0]  dexp;
    automatic logic [26:0] mb, ms, ms_full, nrm;
    automatic logic [27:0] sum;
    automatic logic [23:0] man;
    automatic logic [9:0]  exp;

    ///////////////////////////////////
    // p = w * x, exact (BF16 -> FP32) //
    ///////////////////////////////////
    p_sign = w_act_q[15] ^ x_q[15];
    w_nan  = (w_act_q[14:7] == 8'hff) && (w_act_q[6:0] != 7'd0);
    x_nan  = (x_q[14:7] == 8'hff) && (x_q[6:0] != 7'd0);
    w_inf  = (w_act_q[14:7] == 8'hff) && (w_act_q[6:0] == 7'd0);
    x_inf  = (x_q[14:7] == 8'hff) && (x_q[6:0] == 7'd0);
    w_zero = (w_act_q[14:7] == 8'd0);
    x_zero = (x_q[14:7] == 8'd0);
    p_sig  = {8'd1, w_act_q[6:0]} * {8'd1, x_q[6:0]};
    p_exp  = {2'd0, w_act_q[14:7]} + {2'd0, x_q[14:7]} - 10'd127 + {9'd0, p_sig[15]};
    if (w_nan || x_nan || (w_inf && x_zero) || (w_zero && x_inf)) begin
      p = te_pkg::Fp32CanonNan;
    end else if (w_inf || x_inf) begin
      p = {p_sign, te_pkg::Fp32InfMag};
    end else if (w_zero || x_zero || p_exp[9] || (p_exp == 10'd0)) begin
      p = {p_sign, 31'd0};    // below 2^-126: flush
    end else if (p_exp >= 10'd255) begin
      p = {p_sign, te_pkg::Fp32InfMag};
    end else begin
      p = {p_sign, p_exp[7:0], p_sig[15] ? {p_sig[14:0], 8'd0} : {p_sig[13:0], 9'd0}};
    end

    /////////////////////////////
    // s = a + b, FP32 RNE, FTZ //
    /////////////////////////////
    a      = psum_q;
    b      = p;
    a_nan  = (a[30:23] == 8'hff) && (a[22:0] != 23'd0);
    b_nan  = (b[30:23] == 8'hff) && (b[22:0] != 23'd0);
    a_inf  = (a[30:23] == 8'hff) && (a[22:0] == 23'd0);
    b_inf  = (b[30:23] == 8'hff) && (b[22:0] == 23'd0);
    a_zero = (a[30:23] == 8'd0);
    b_zero = (b[30:23] == 8'd0);
    a_big  = (a[30:0] >= b[30:0]);
    big    = a_big ? a : b;
    sml    = a_big ? b[30:0] : a[30:0];
    sub    = a[31] ^ b[31];
    dexp   = big[30:23] - sml[30:23];
    // Significands with guard, round and sticky bits; the smaller one aligned.
    mb      = {1'b1, big[22:0], 3'b000};
    ms_full = {1'b1, sml[22:0], 3'b000};
    if (dexp >= 8'd27) begin
      ms = 27'd1;
    end else begin
      ms    = ms_full >> dexp;
      ms[0] = ms[0] | ((ms_full & ((27'd1 << dexp) - 27'd1)) != 27'd0);
    end
    sum = sub ? ({1'b0, mb} - {1'b0, ms}) : ({1'b0, mb} + {1'b0, ms});
    exp = {2'd0, big[30:23]};
    // Normalise: one right shift on carry, else a left shift by the leading zeros
    // (more than one only when the sticky bit is clear).
    if (sum[27]) begin
      nrm = {sum[27:2], sum[1] | sum[0]};
      exp = exp + 10'd1;
    end else begin
      nrm = sum[26:0];
      if (nrm[26:11] == 16'd0) begin
        nrm = nrm << 16;
        exp = exp - 10'd16;
      end
      if (nrm[26:19] == 8'd0) begin
        nrm = nrm << 8;
        exp = exp - 10'd8;
      end
      if (nrm[26:23] == 4'd0) begin
        nrm = nrm << 4;
        exp = exp - 10'd4;
      end
      if (nrm[26:25] == 2'd0) begin
        nrm = nrm << 2;
        exp = exp - 10'd2;
      end
      if (!nrm[26]) begin
        nrm = nrm << 1;
        exp = exp - 10'd1;
      end
    end
    // Round to nearest even; a carry out of the fraction (man[23]) bumps the exponent.
    up  = nrm[2] & (nrm[1] | nrm[0] | nrm[3]);
    man = {1'b0, nrm[25:3]} + {23'd0, up};
    if (man[23]) begin
      exp = exp + 10'd1;
    end
    if (a_nan || b_nan || (a_inf && b_inf && sub)) begin
      s = te_pkg::Fp32CanonNan;
    end else if (a_inf || b_inf) begin
      s = a_inf ? a : b;
    end else if (a_zero && b_zero) begin
      s = {a[31] & b[31], 31'd0};
    end else if (a_zero) begin
      s = b;
    end else if (b_zero) begin
      s = a;
    end else if (sum == 28'd0) begin
      s = 32'd0;              // exact cancellation is +0
    end else if (exp[9] || (exp == 10'd0)) begin
      s = {big[31], 31'd0};   // below 2^-126: flush
    end else if (exp >= 10'd255) begin
      s = {big[31], te_pkg::Fp32InfMag};
    end else begin
      s = {big[31], exp[7:0], man[22:0]};
    end

    psum_o = w_act_q[16] ? s : psum_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      swap_q <= 1'b0;
    end else begin
      swap_q <= swap_i;
    end
  end

  // Datapath registers without reset: outputs are qualified by the core's valid pipeline.
  always_ff @(posedge clk_i) begin
    x_q    <= x_i;
    psum_q <= psum_i;
    if (ld_we_i) begin
      w_sh_q <= ld_w_i;
    end
    if (swap_i) begin
      w_act_q <= w_sh_q;
    end
  end

  assign x_o    = x_q;
  assign swap_o = swap_q;

endmodule
