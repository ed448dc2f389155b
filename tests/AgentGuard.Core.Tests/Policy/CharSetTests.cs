namespace AgentGuard.Policy;

public class CharSetTests
{
    [Fact]
    public void FromRanges_OverlappingAndAdjacent_Merges()
    {
        var set = CharSet.FromRanges([('d', 'f'), ('a', 'c'), ('e', 'h'), ('x', 'x')]);

        Assert.True(set.Contains('a') && set.Contains('h') && set.Contains('x'));
        Assert.False(set.Contains('i') || set.Contains('w') || set.Contains('y'));
    }

    [Fact]
    public void Complement_HasExactlyTheOtherCharacters()
    {
        var complement = CharSet.FromRanges([('\0', 'a'), ('c', 'c'), ('z', char.MaxValue)]).Complement();

        Assert.True(complement.Contains('b') && complement.Contains('d') && complement.Contains('y'));
        Assert.False(complement.Contains('\0') || complement.Contains('a') || complement.Contains('c') || complement.Contains(char.MaxValue));
        Assert.True(CharSet.Any.Complement().IsEmpty);
    }

    [Fact]
    public void WithoutSlash_RemovesOnlyTheSlash()
    {
        var set = CharSet.FromRanges([('+', '0')]).WithoutSlash();

        Assert.True(set.Contains('+') && set.Contains('.') && set.Contains('0'));
        Assert.False(set.Contains('/'));
    }

    [Theory]
    [InlineData('k', "kK\u212A")]
    [InlineData('S', "sS\u017F")]
    [InlineData('\u03C3', "\u03C3\u03C2\u03A3")]
    [InlineData('7', "7")]
    public void IgnoringCase_Character_HasItsWholeCaseClass(char c, string expected)
    {
        var set = CharSet.IgnoringCase(c);

        Assert.All(expected, member => Assert.True(set.Contains(member), $"U+{(int)member:X4} is missing"));
        Assert.False(set.Contains('x'));
    }

    [Fact]
    public void Overlaps_SharedLowercaseLetter_IsPreferredAsTheCommonCharacter()
    {
        Assert.True(CharSet.AnyButSlash.Overlaps(CharSet.Any, out var common));
        Assert.Equal('a', common);
        Assert.True(CharSet.FromRanges([('A', 'Z'), ('q', 'r')]).Overlaps(CharSet.FromRanges([('B', 'B'), ('r', 'z')]), out common));
        Assert.Equal('r', common);
        Assert.False(CharSet.Single('a').Overlaps(CharSet.Single('b'), out _));
    }
}
