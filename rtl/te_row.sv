// One row of the PE grid: Cols PEs, the moving operand and the swap token entering on the
// left and travelling right, the partial sums entering from the row above (each PE registers
// its own) and leaving, products added, to the row below. Weight writes reach the PE of
// column ld_col_i. The input skew and output de-skew stay in te_array, so every row of a
// grid is the same module with the same parameters: the unit of hierarchical verilation
// (te_core.cmake, HIERARCHICAL).
module te_row #(
  parameter  int unsigned Cols = 32,
  localparam int unsigned ColW = (Cols > 1) ? $clog2(Cols) : 1
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic [15:0]           x_i,
  input  logic                  swap_i,
  input  logic                  ld_valid_i,
  input  logic [ColW-1:0]       ld_col_i,
  input  logic [16:0]           ld_w_i,
  input  logic [Cols-1:0][31:0] psum_i,
  output logic [Cols-1:0][31:0] psum_o
);
  // A block of its own under --hierarchical (te_core.cmake, HIERARCHICAL); ignored otherwise.
  /*verilator hier_block*/

  // The PE sums, gathered by one loop: Verilator 5.006 builds a wide output connected slice by
  // slice from the PE ports with a chain of concatenations, quadratic in Cols (a third of the
  // 128 x 128 core's time).
  logic [31:0] psum [Cols];

  always_comb begin
    for (int unsigned c = 0; c < Cols; c++) begin
      psum_o[c] = psum[c];
    end
  end

  for (genvar c = 0; c < Cols; c++) begin : g_col
    logic [15:0] x_in;
    logic        swap_in;
    logic [15:0] x;
    logic        swap;

    if (c == 0) begin : g_left
      assign x_in    = x_i;
      assign swap_in = swap_i;
    end else begin : g_inner
      assign x_in    = g_col[c-1].x;
      assign swap_in = g_col[c-1].swap;
    end

    te_pe u_pe (
      .clk_i,
      .rst_ni,
      .x_i    (x_in),
      .swap_i (swap_in),
      .ld_we_i(ld_valid_i && (ld_col_i == ColW'(c))),
      .ld_w_i,
      .psum_i (psum_i[c]),
      .x_o    (x),
      .swap_o (swap),
      .psum_o (psum[c])
    );

    if (c == Cols - 1) begin : g_right
      logic unused_right;
      assign unused_right = ^{x, swap};
    end
  end

endmodule
