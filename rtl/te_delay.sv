// Delay line of Depth registers (Depth = 0 is a wire). ResetEn adds an asynchronous
// reset to zero (for valid bits); datapath lines leave it off.
module te_delay #(
  parameter int unsigned Width   = 1,
  parameter int unsigned Depth   = 1,
  parameter bit          ResetEn = 1'b0
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic [Width-1:0] d_i,
  output logic [Width-1:0] q_o
);

  if (Depth == 0 || !ResetEn) begin : g_no_reset
    logic unused_rst;
    assign unused_rst = rst_ni;
  end

  if (Depth == 0) begin : g_wire
    logic unused_clk;
    assign unused_clk = clk_i;
    assign q_o = d_i;
  end else begin : g_pipe
    for (genvar i = 0; i < Depth; i++) begin : g_stage
      logic [Width-1:0] d;
      logic [Width-1:0] q;
      if (i == 0) begin : g_first
        assign d = d_i;
      end else begin : g_next
        assign d = g_pipe.g_stage[i-1].q;
      end
      if (ResetEn) begin : g_rst
        always_ff @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) begin
            q <= '0;
          end else begin
            q <= d;
          end
        end
      end else begin : g_norst
        always_ff @(posedge clk_i) begin
          q <= d;
        end
      end
    end
    assign q_o = g_pipe.g_stage[Depth-1].q;
  end

endmodule
