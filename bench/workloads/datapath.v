// The input of bench/workloads.py's yosys-synth workload: a registered 32-bit datapath whose
// multiplier and divider give Yosys's synth (without ABC) about 15,000 cells of work.
module datapath(input clk, input [31:0] a, input [31:0] b, input [2:0] op, output reg [63:0] y);
  wire [63:0] product = a * b;
  wire [31:0] quotient = a / (b | 32'd1);
  always @(posedge clk)
    case (op)
      3'd0: y <= product;
      3'd1: y <= {32'd0, a + b};
      3'd2: y <= {32'd0, quotient};
      3'd3: y <= {32'd0, a ^ (b << a[4:0])};
      default: y <= {32'd0, a - b};
    endcase
endmodule
