package dev.minutework.broker.archfixture.server.cycle.right;

import dev.minutework.broker.archfixture.server.cycle.left.Left;

/** Depends on {@link Left}, which depends back on it: a package cycle. */
public final class Right {

    private Right() {}

    public static int value() {
        return Left.base() + 1;
    }
}
