// The library is compiled against publicized copies of Microsoft.ML.Core and Microsoft.ML.Data
// (build/MLNet.Recurrent.Publicize.targets). At run time CoreCLR honours this attribute and lets the
// library use those assemblies' internal persistence API (ModelSaveContext, ModelLoadContext, ...).
// Both assemblies are needed: without Core, SchemaShape.TryFindColumn throws MethodAccessException.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices
{
    /// <summary>Declared here because the BCL does not ship it; the runtime recognises it by name.</summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute : Attribute
    {
        public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

        public string AssemblyName { get; }
    }
}
