using System.Runtime.CompilerServices;

// The ONNX export tests check the exporter's internal pieces (character tables, graph builders) directly.
[assembly: InternalsVisibleTo("MLNet.Recurrent.Onnx.Tests")]
