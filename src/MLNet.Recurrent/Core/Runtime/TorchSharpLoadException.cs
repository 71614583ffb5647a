namespace MLNet.Recurrent;

/// <summary>
/// Thrown when TorchSharp's native libraries cannot be loaded. The message names the cause
/// (missing backend package, host libstdc++ too old, ...) and the fix.
/// </summary>
public sealed class TorchSharpLoadException : InvalidOperationException
{
    /// <summary>Creates the exception with a message and the underlying load failure.</summary>
    public TorchSharpLoadException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
