// Tensor engine definitions (docs/numerics.md): dtype encoding, canonical values and the
// input decode to BF16 (subnormals flush to zero, every NaN canonical). The multiply-add
// itself is in te_pe.sv.
package te_pkg;

  typedef enum logic [1:0] {
    DtypeBf16 = 2'd0,
    DtypeE4m3 = 2'd1,
    DtypeE5m2 = 2'd2
  } dtype_e;

  localparam logic [15:0] Bf16CanonNan = 16'h7fc0;
  localparam logic [31:0] Fp32CanonNan = 32'h7fc0_0000;
  localparam logic [30:0] Fp32InfMag   = 31'h7f80_0000;

  // Every BF16, E4M3 and E5M2 value is exact in BF16, so operands travel as BF16 with
  // subnormals flushed and NaNs canonical. FP8 sits in raw[7:0]; dtype 3 decodes as BF16.
  function automatic logic [15:0] decode(logic [1:0] dtype, logic [15:0] raw);
    logic [15:0] r;
    r = raw;
    unique case (dtype)
      DtypeE4m3: begin
        if (raw[6:0] == 7'h7f) begin
          r = Bf16CanonNan;
        end else if (raw[6:3] == 4'd0) begin
          r = {raw[7], 15'd0};
        end else begin
          r = {raw[7], {4'd0, raw[6:3]} + 8'd120, raw[2:0], 4'd0};
        end
      end
      DtypeE5m2: begin
        if (raw[6:2] == 5'h1f) begin
          r = (raw[1:0] == 2'd0) ? {raw[7], 15'h7f80} : Bf16CanonNan;
        end else if (raw[6:2] == 5'd0) begin
          r = {raw[7], 15'd0};
        end else begin
          r = {raw[7], {3'd0, raw[6:2]} + 8'd112, raw[1:0], 5'd0};
        end
      end
      default: begin
        if (raw[14:7] == 8'hff) begin
          r = (raw[6:0] == 7'd0) ? raw : Bf16CanonNan;
        end else if (raw[14:7] == 8'd0) begin
          r = {raw[15], 15'd0};
        end
      end
    endcase
    return r;
  endfunction

endpackage
