// Rows x Cols weight-stationary PE grid with its input skew and output de-skew.
// Inputs arrive one beat per cycle for all rows at once (registered by te_core); row r
// sees the swap token and weight writes r cycles later and the moving operand r + 1
// cycles later, so every PE(r, c) meets beat s at a fixed offset r + c. Column sums
// leave the bottom row and are delayed Cols - 1 - c cycles so a result vector is aligned.
module te_array #(
  parameter  int unsigned Rows = 32,
  parameter  int unsigned Cols = 32,
  localparam int unsigned ColW = (Cols > 1) ? $clog2(Cols) : 1
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic [Rows-1:0][15:0] x_i,
  input  logic                  swap_i,
  input  logic                  ld_valid_i,
  input  logic [ColW-1:0]       ld_col_i,
  input  logic [Rows-1:0][16:0] ld_w_i,
  output logic [Cols-1:0][31:0] psum_o
);

  // The partial sum entering the top row is -0, the identity of RNE addition.
  localparam logic [31:0] PsumTop = 32'h8000_0000;

  for (genvar r = 0; r < Rows; r++) begin : g_row
    logic [15:0]     x_edge;
    logic            swap_edge;
    logic            ld_valid;
    logic [ColW-1:0] ld_col;
    logic [16:0]     ld_w;

    te_delay #(
      .Width(16),
      .Depth(r + 1)
    ) u_x_skew (
      .clk_i,
      .rst_ni,
      .d_i(x_i[r]),
      .q_o(x_edge)
    );

    te_delay #(
      .Width  (2),
      .Depth  (r),
      .ResetEn(1'b1)
    ) u_ctl_skew (
      .clk_i,
      .rst_ni,
      .d_i({swap_i, ld_valid_i}),
      .q_o({swap_edge, ld_valid})
    );

    te_delay #(
      .Width(ColW + 17),
      .Depth(r)
    ) u_ld_skew (
      .clk_i,
      .rst_ni,
      .d_i({ld_col_i, ld_w_i[r]}),
      .q_o({ld_col, ld_w})
    );

    for (genvar c = 0; c < Cols; c++) begin : g_col
      logic [15:0] x_in;
      logic        swap_in;
      logic [31:0] psum_in;
      logic [15:0] x;
      logic        swap;
      logic [31:0] psum;

      if (c == 0) begin : g_left
        assign x_in    = x_edge;
        assign swap_in = swap_edge;
      end else begin : g_inner
        assign x_in    = g_row[r].g_col[c-1].x;
        assign swap_in = g_row[r].g_col[c-1].swap;
      end

      if (r == 0) begin : g_top
        assign psum_in = PsumTop;
      end else begin : g_below
        assign psum_in = g_row[r-1].g_col[c].psum;
      end

      te_pe u_pe (
        .clk_i,
        .rst_ni,
        .x_i    (x_in),
        .swap_i (swap_in),
        .ld_we_i(ld_valid && (ld_col == ColW'(c))),
        .ld_w_i (ld_w),
        .psum_i (psum_in),
        .x_o    (x),
        .swap_o (swap),
        .psum_o (psum)
      );

      if (c == Cols - 1) begin : g_right
        logic unused_right;
        assign unused_right = ^{x, swap};
      end
    end
  end

  for (genvar c = 0; c < Cols; c++) begin : g_deskew
    te_delay #(
      .Width(32),
      .Depth(Cols - 1 - c)
    ) u_deskew (
      .clk_i,
      .rst_ni,
      .d_i(g_row[Rows-1].g_col[c].psum),
      .q_o(psum_o[c])
    );
  end

endmodule
