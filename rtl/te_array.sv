// Rows x Cols weight-stationary PE grid, one te_row per row, with its input skew and
// output de-skew (outside the rows, so that every row is the same module).
// Inputs arrive one beat per cycle for all rows at once (registered by te_core); row r
// sees the moving operand, the swap token and weight writes r cycles later, and PE(r, c)
// registers beat s at a fixed offset r + c. Column sums leave the bottom row (combinational
// out of its PEs) and are delayed Cols - c cycles so a result vector is aligned.
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
    logic [15:0]           x_edge;
    logic                  swap_edge;
    logic                  ld_valid;
    logic [ColW-1:0]       ld_col;
    logic [16:0]           ld_w;
    logic [Cols-1:0][31:0] psum_in;
    logic [Cols-1:0][31:0] psum;

    te_delay #(
      .Width(16),
      .Depth(r)
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

    if (r == 0) begin : g_top
      assign psum_in = {Cols{PsumTop}};
    end else begin : g_below
      assign psum_in = g_row[r-1].psum;
    end

    te_row #(
      .Cols(Cols)
    ) u_row (
      .clk_i,
      .rst_ni,
      .x_i       (x_edge),
      .swap_i    (swap_edge),
      .ld_valid_i(ld_valid),
      .ld_col_i  (ld_col),
      .ld_w_i    (ld_w),
      .psum_i    (psum_in),
      .psum_o    (psum)
    );
  end

  // De-skewed sums, gathered by one loop (see te_row: no concatenation chain).
  logic [31:0] psum_out [Cols];

  for (genvar c = 0; c < Cols; c++) begin : g_deskew
    te_delay #(
      .Width(32),
      .Depth(Cols - c)
    ) u_deskew (
      .clk_i,
      .rst_ni,
      .d_i(g_row[Rows-1].psum[c]),
      .q_o(psum_out[c])
    );
  end

  always_comb begin
    for (int unsigned c = 0; c < Cols; c++) begin
      psum_o[c] = psum_out[c];
    end
  end

endmodule
