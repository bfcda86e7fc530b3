using System.ComponentModel;
using System.Globalization;
using System.Numerics;

namespace Thresher.Client.Commands;

/// <summary>
/// Reads a numeric option's text (invariant culture: '.' as decimal point, 1e3 and NaN accepted for real numbers).
/// A value that does not parse throws <see cref="OptionValueException"/>, which Spectre wraps; ExitCodes turns it
/// into one line naming the option and the value (exit 2). Spectre's own converters would say "Failed to convert
/// 'abc' to Nullable`1", naming neither.
/// </summary>
public class NumberConverter<T> : TypeConverter where T : struct, INumber<T>
{
    static readonly bool Whole = T.IsZero(T.One / (T.One + T.One)); // 1/2 is 0 only in integer arithmetic

    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        string text = value as string ?? "";
        var style = Whole ? NumberStyles.Integer : NumberStyles.Float;
        if (T.TryParse(text, style, CultureInfo.InvariantCulture, out T number)) return number;
        throw new OptionValueException(text, Whole ? "not a whole number (or too large)" : "not a number");
    }
}

/// <summary>Whole numbers (int).</summary>
public sealed class IntOptionConverter : NumberConverter<int>;

/// <summary>Whole numbers (long).</summary>
public sealed class LongOptionConverter : NumberConverter<long>;

/// <summary>Real numbers (float).</summary>
public sealed class FloatOptionConverter : NumberConverter<float>;

/// <summary>Real numbers (double).</summary>
public sealed class DoubleOptionConverter : NumberConverter<double>;
