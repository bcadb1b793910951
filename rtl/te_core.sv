// Tensor engine core: a Rows x Cols weight-stationary systolic array of BF16/FP8 inputs
// with FP32 accumulation (docs/tensor-engine.md). Two input ports with valid/ready:
// LoadStationary beats (one weight column of K elements each, M beats) and
// MultiplyMoving beats (one moving vector of K elements each, N beats). One output
// vector (M FP32 values, lanes >= M zero) per moving beat, Rows + Cols + 1 cycles later.
// Weights are double-buffered: a load fills the shadow bank while the array computes,
// and the next MultiplyMoving swaps it in on its first beat.
// The default size can also be set with +define+TE_CORE_ROWS=r +define+TE_CORE_COLS=c: the
// hierarchical build (te_core.cmake) cannot use -G, which Verilator 5.006 also passes to the
// te_row blocks, where Rows does not exist.
`ifndef TE_CORE_ROWS
`define TE_CORE_ROWS 32
`endif
`ifndef TE_CORE_COLS
`define TE_CORE_COLS 32
`endif

module te_core #(
  parameter  int unsigned Rows = `TE_CORE_ROWS,
  parameter  int unsigned Cols = `TE_CORE_COLS,
  localparam int unsigned KW   = $clog2(Rows + 1),
  localparam int unsigned MW   = $clog2(Cols + 1),
  localparam int unsigned ColW = (Cols > 1) ? $clog2(Cols) : 1,
  localparam int unsigned NW   = 10
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,

  // LoadStationary: beat j carries weight column j; dtype, K and M held for the op.
  input  logic                  ld_valid_i,
  output logic                  ld_ready_o,
  input  logic [1:0]            ld_dtype_i,
  input  logic [KW-1:0]         ld_k_i,
  input  logic [MW-1:0]         ld_m_i,
  input  logic [Rows-1:0][15:0] ld_data_i,

  // MultiplyMoving: beat j carries moving vector j; dtype, N and acc held for the op.
  input  logic                  mm_valid_i,
  output logic                  mm_ready_o,
  input  logic [1:0]            mm_dtype_i,
  input  logic [NW-1:0]         mm_n_i,
  input  logic                  mm_acc_i,
  input  logic [Rows-1:0][15:0] mm_data_i,

  // Results, one vector per moving beat; no back-pressure.
  output logic                  out_valid_o,
  output logic                  out_first_o,
  output logic                  out_last_o,
  output logic                  out_acc_o,
  output logic [Cols-1:0][31:0] out_data_o,

  // Something is in flight or part-way: keep clocking.
  output logic                  busy_o
);

  localparam int unsigned Latency = Rows + Cols + 1;
  localparam int unsigned DrainW  = $clog2(Latency + 1);
  localparam int unsigned MetaW   = 4 + MW;

  ///////////////
  // Handshake //
  ///////////////

  logic            ld_fire, ld_last, mm_fire, mm_first, mm_last, swap;
  logic [ColW-1:0] ld_col_d, ld_col_q;
  logic            ld_busy_d, ld_busy_q;
  logic            sh_full_d, sh_full_q;
  logic [MW-1:0]   sh_m_d, sh_m_q, act_m_d, act_m_q;
  logic [NW-1:0]   mm_cnt_d, mm_cnt_q;
  logic [DrainW-1:0] drain_d, drain_q;

  // Loads never stall: program order (issue rule in docs/tensor-engine.md) guarantees the
  // shadow bank is free. The first beat of a MultiplyMoving waits for a load in progress.
  assign ld_ready_o = 1'b1;
  assign ld_fire    = ld_valid_i;
  assign ld_last    = (MW'(ld_col_q) + MW'(1)) == ld_m_i;
  assign mm_first   = (mm_cnt_q == '0);
  assign mm_ready_o = !(mm_first && ld_busy_q);
  assign mm_fire    = mm_valid_i && mm_ready_o;
  assign mm_last    = (mm_cnt_q + NW'(1)) == mm_n_i;
  assign swap       = mm_fire && mm_first && sh_full_q;

  always_comb begin
    ld_col_d  = ld_col_q;
    ld_busy_d = ld_busy_q;
    sh_full_d = sh_full_q;
    sh_m_d    = sh_m_q;
    act_m_d   = act_m_q;
    mm_cnt_d  = mm_cnt_q;
    drain_d   = (drain_q != '0) ? drain_q - DrainW'(1) : '0;
    if (swap) begin
      sh_full_d = 1'b0;
      act_m_d   = sh_m_q;
    end
    if (ld_fire) begin
      if (ld_last) begin
        ld_col_d  = '0;
        ld_busy_d = 1'b0;
        sh_full_d = 1'b1;
        sh_m_d    = ld_m_i;
      end else begin
        ld_col_d  = ld_col_q + ColW'(1);
        ld_busy_d = 1'b1;
      end
    end
    if (mm_fire) begin
      mm_cnt_d = mm_last ? '0 : mm_cnt_q + NW'(1);
    end
    if (ld_fire || mm_fire) begin
      drain_d = DrainW'(Latency);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ld_col_q  <= '0;
      ld_busy_q <= 1'b0;
      sh_full_q <= 1'b0;
      sh_m_q    <= '0;
      act_m_q   <= '0;
      mm_cnt_q  <= '0;
      drain_q   <= '0;
    end else begin
      ld_col_q  <= ld_col_d;
      ld_busy_q <= ld_busy_d;
      sh_full_q <= sh_full_d;
      sh_m_q    <= sh_m_d;
      act_m_q   <= act_m_d;
      mm_cnt_q  <= mm_cnt_d;
      drain_q   <= drain_d;
    end
  end

  assign busy_o = ld_busy_q || (mm_cnt_q != '0) || (drain_q != '0);

  ////////////////////////////
  // Decode and input stage //
  ////////////////////////////

  logic [Rows-1:0][15:0] x_dec, x_q;
  logic [Rows-1:0][16:0] w_dec, w_q;
  logic [ColW-1:0]       ld_col_s_q;
  logic                  ld_valid_s_q, swap_s_q;
  logic [MetaW-1:0]      meta_d, meta_q;

  always_comb begin
    for (int unsigned r = 0; r < Rows; r++) begin
      x_dec[r] = te_pkg::decode(mm_dtype_i, mm_data_i[r]);
      w_dec[r] = {KW'(r) < ld_k_i, te_pkg::decode(ld_dtype_i, ld_data_i[r])};
    end
  end

  // {valid, first, last, acc, M of the weights this beat uses}
  assign meta_d = {mm_fire, mm_fire && mm_first, mm_fire && mm_last, mm_acc_i,
                   swap ? sh_m_q : act_m_q};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ld_valid_s_q <= 1'b0;
      swap_s_q     <= 1'b0;
    end else begin
      ld_valid_s_q <= ld_fire;
      swap_s_q     <= swap;
    end
  end

  always_ff @(posedge clk_i) begin
    x_q        <= x_dec;
    w_q        <= w_dec;
    ld_col_s_q <= ld_col_q;
  end

  te_delay #(
    .Width  (MetaW),
    .Depth  (Latency),
    .ResetEn(1'b1)
  ) u_meta (
    .clk_i,
    .rst_ni,
    .d_i(meta_d),
    .q_o(meta_q)
  );

  ///////////
  // Array //
  ///////////

  logic [Cols-1:0][31:0] psum;

  te_array #(
    .Rows(Rows),
    .Cols(Cols)
  ) u_array (
    .clk_i,
    .rst_ni,
    .x_i       (x_q),
    .swap_i    (swap_s_q),
    .ld_valid_i(ld_valid_s_q),
    .ld_col_i  (ld_col_s_q),
    .ld_w_i    (w_q),
    .psum_o    (psum)
  );

  ////////////
  // Output //
  ////////////

  logic [MW-1:0] out_m;

  assign {out_valid_o, out_first_o, out_last_o, out_acc_o, out_m} = meta_q;

  always_comb begin
    for (int unsigned c = 0; c < Cols; c++) begin
      out_data_o[c] = (MW'(c) < out_m) ? psum[c] : 32'd0;
    end
  end

endmodule
