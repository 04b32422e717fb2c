using OpenCxo.Core.Profiles;

namespace OpenCxo.Core.Tests.Profiles;

public class IdentityNormalizerTests
{
    [Theory]
    [InlineData("ana@example.com", "ana@example.com")]
    [InlineData(" Ana@Example.COM ", "ana@example.com")]
    [InlineData("\tANA.GARCIA+news@Mail.Example.ES\n", "ana.garcia+news@mail.example.es")]
    public void Email_is_trimmed_and_lower_cased(string raw, string expected)
    {
        Assert.True(IdentityNormalizer.TryNormalizeEmail(raw, out var email, out var error), error);
        Assert.Equal(expected, email);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ana.example.com")]
    [InlineData("ana@@example.com")]
    [InlineData("ana@mail@example.com")]
    [InlineData("@example.com")]
    [InlineData("ana@")]
    [InlineData("ana@example")]
    [InlineData("ana@.example.com")]
    [InlineData("ana@example.com.")]
    [InlineData("ana@example..com")]
    [InlineData("ana maria@example.com")]
    [InlineData("ana@exa mple.com")]
    [InlineData("Ana <ana@example.com>")]
    [InlineData("ana;bob@example.com")]
    public void Email_that_is_not_an_address_is_rejected(string? raw)
    {
        Assert.False(IdentityNormalizer.TryNormalizeEmail(raw, out _, out var error));
        Assert.NotEqual("", error);
    }

    [Fact]
    public void Email_longer_than_254_characters_is_rejected()
    {
        // RFC 5321 §4.5.3.1.3 limits a path to 256 octets including the angle brackets: 254 for the address.
        var domain = "@example.com";
        var longest = new string('a', IdentityNormalizer.MaxEmailLength - domain.Length) + domain;
        Assert.Equal(254, longest.Length);

        Assert.True(IdentityNormalizer.TryNormalizeEmail(longest, out _, out _));
        Assert.False(IdentityNormalizer.TryNormalizeEmail("a" + longest, out _, out var error));
        Assert.Contains("254", error, StringComparison.Ordinal);
    }

    // Examples are published numbers that reach nobody:
    // - "044 668 18 00" (CH) → +41446681800 is the worked example of libphonenumber's README
    //   (github.com/google/libphonenumber, "Quick Examples").
    // - "020 7946 0958" (GB) is in Ofcom's range reserved for TV and radio drama (020 7946 0000–0999,
    //   ofcom.org.uk "Telephone numbers for use in TV and radio drama programmes").
    // - "(202) 555-0123" (US) is in 555-0100–0199, which NANPA reserves for fictional use.
    // - "+34 600 111 222" is the example of DESIGN.md.
    [Theory]
    [InlineData("+34 600 111 222", "ES", "+34600111222")]
    [InlineData("+34 600 111 222", "US", "+34600111222")]
    [InlineData("600111222", "ES", "+34600111222")]
    [InlineData(" 600 11 12 22 ", "ES", "+34600111222")]
    [InlineData("0034 600 111 222", "ES", "+34600111222")]
    [InlineData("(202) 555-0123", "US", "+12025550123")]
    [InlineData("202.555.0123", "US", "+12025550123")]
    [InlineData("020 7946 0958", "GB", "+442079460958")]
    [InlineData("+44 (0)20 7946 0958", "ES", "+442079460958")]
    [InlineData("044 668 18 00", "CH", "+41446681800")]
    public void Phone_becomes_E164(string raw, string region, string expected)
    {
        var normalizer = new IdentityNormalizer(region);

        Assert.True(normalizer.TryNormalizePhone(raw, out var e164, out var error), error);
        Assert.Equal(expected, e164);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("hello")]
    [InlineData("12")]
    [InlineData("+34 6")]
    [InlineData("+999 600 111 222")]
    [InlineData("600 111 222 333 444 555 666")]
    [InlineData("0000000000000000000000000000000000000000000")]
    public void Phone_that_is_not_a_possible_number_is_rejected(string? raw)
    {
        var normalizer = new IdentityNormalizer("ES");

        Assert.False(normalizer.TryNormalizePhone(raw, out var e164, out var error));
        Assert.Equal("", e164);
        Assert.NotEqual("", error);
    }

    [Fact]
    public void Phone_rejection_names_the_region_national_numbers_are_read_in()
    {
        var normalizer = new IdentityNormalizer("GB");

        Assert.False(normalizer.TryNormalizePhone("12", out _, out var error));
        Assert.Contains("GB", error, StringComparison.Ordinal);
    }

    [Fact]
    public void National_number_is_read_in_the_default_region()
    {
        // The same ten digits are a Maine number (area code 207) to a US workspace and a London one to a British workspace.
        Assert.True(new IdentityNormalizer("US").TryNormalizePhone("2079460958", out var us, out _));
        Assert.True(new IdentityNormalizer("GB").TryNormalizePhone("2079460958", out var gb, out _));

        Assert.Equal("+12079460958", us);
        Assert.Equal("+442079460958", gb);
    }

    [Fact]
    public void National_number_of_another_region_is_rejected_in_the_default_region()
    {
        // A Spanish mobile written nationally has nine digits: too short for a US number.
        Assert.True(new IdentityNormalizer("ES").TryNormalizePhone("600111222", out _, out _));
        Assert.False(new IdentityNormalizer("US").TryNormalizePhone("600111222", out _, out _));
    }

    [Fact]
    public void Same_text_normalises_the_same_way_twice()
    {
        // The normaliser caches parsed phones; the cached answer must equal the first one, for failures too.
        var normalizer = new IdentityNormalizer("ES");

        Assert.True(normalizer.TryNormalizePhone("600111222", out var first, out _));
        Assert.True(normalizer.TryNormalizePhone("600111222", out var second, out _));
        Assert.False(normalizer.TryNormalizePhone("hello", out _, out _));
        Assert.False(normalizer.TryNormalizePhone("hello", out _, out var error));

        Assert.Equal(first, second);
        Assert.NotEqual("", error);
    }

    [Theory]
    [InlineData("es", "ES")]
    [InlineData("GB", "GB")]
    [InlineData("us", "US")]
    public void Region_is_upper_cased(string region, string expected)
    {
        Assert.Equal(expected, new IdentityNormalizer(region).DefaultRegion);
    }

    [Fact]
    public void Default_region_is_Spain()
    {
        Assert.Equal("ES", new IdentityNormalizer().DefaultRegion);
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("ZZ")]
    [InlineData("ESP")]
    [InlineData("")]
    [InlineData("Spain")]
    public void Unknown_region_throws(string region)
    {
        var thrown = Assert.Throws<ArgumentException>(() => new IdentityNormalizer(region));
        Assert.Equal("defaultRegion", thrown.ParamName);
    }

    [Theory]
    [InlineData("crm", "crm")]
    [InlineData("CRM", "crm")]
    [InlineData(" HelpDesk ", "helpdesk")]
    [InlineData("shop-eu_2.v1", "shop-eu_2.v1")]
    public void System_name_is_trimmed_and_lower_cased(string raw, string expected)
    {
        Assert.True(IdentityNormalizer.TryNormalizeSystem(raw, out var system, out var error), error);
        Assert.Equal(expected, system);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("help desk")]
    [InlineData("crm/eu")]
    [InlineData("crm:eu")]
    [InlineData("señal")]
    [InlineData("crm=1")]
    public void System_name_with_characters_outside_the_allowed_set_is_rejected(string? raw)
    {
        Assert.False(IdentityNormalizer.TryNormalizeSystem(raw, out _, out var error));
        Assert.NotEqual("", error);
    }

    [Fact]
    public void System_name_longer_than_64_characters_is_rejected()
    {
        Assert.True(IdentityNormalizer.TryNormalizeSystem(new string('a', 64), out _, out _));
        Assert.False(IdentityNormalizer.TryNormalizeSystem(new string('a', 65), out _, out _));
    }

    [Theory]
    [InlineData("C-1001", "C-1001")]
    [InlineData("  C-1001 ", "C-1001")]
    [InlineData("u-77", "u-77")]
    [InlineData("urn:shop:42", "urn:shop:42")]
    public void External_id_is_trimmed_and_keeps_its_case(string raw, string expected)
    {
        Assert.True(IdentityNormalizer.TryNormalizeExternalId(raw, out var id, out var error), error);
        Assert.Equal(expected, id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("C-\u00001001")]
    [InlineData("C-1001\u0007")]
    public void External_id_that_is_empty_or_has_control_characters_is_rejected(string? raw)
    {
        Assert.False(IdentityNormalizer.TryNormalizeExternalId(raw, out _, out var error));
        Assert.NotEqual("", error);
    }

    [Fact]
    public void External_id_longer_than_200_characters_is_rejected()
    {
        Assert.True(IdentityNormalizer.TryNormalizeExternalId(new string('x', IdentityNormalizer.MaxExternalIdLength), out _, out _));
        Assert.False(IdentityNormalizer.TryNormalizeExternalId(new string('x', IdentityNormalizer.MaxExternalIdLength + 1), out _, out _));
    }

    [Theory]
    [InlineData("crm:C-1001", "crm", "C-1001")]
    [InlineData("CRM:C-1001", "crm", "C-1001")]
    [InlineData("helpdesk: u-77 ", "helpdesk", "u-77")]
    [InlineData("shop:urn:42", "shop", "urn:42")]
    public void External_lookup_is_system_colon_id(string raw, string system, string id)
    {
        Assert.True(IdentityNormalizer.TryParseExternalLookup(raw, out var key, out var error), error);

        Assert.Equal(IdentityKey.External(system, id), key);
        Assert.Equal("ext:" + system, key.Kind);
        Assert.True(key.IsExternal);
        Assert.Equal(system, key.System);
        Assert.Equal(id, key.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("C-1001")]
    [InlineData(":C-1001")]
    [InlineData("crm:")]
    [InlineData("crm:   ")]
    [InlineData("help desk:u-77")]
    public void External_lookup_without_a_valid_system_and_id_is_rejected(string? raw)
    {
        Assert.False(IdentityNormalizer.TryParseExternalLookup(raw, out var key, out var error));
        Assert.Equal(default, key);
        Assert.NotEqual("", error);
    }

    [Fact]
    public void Email_and_phone_keys_are_not_external()
    {
        Assert.False(IdentityKey.Email("ana@example.com").IsExternal);
        Assert.Null(IdentityKey.Phone("+34600111222").System);
        Assert.Equal("phone=+34600111222", IdentityKey.Phone("+34600111222").ToString());
    }
}
