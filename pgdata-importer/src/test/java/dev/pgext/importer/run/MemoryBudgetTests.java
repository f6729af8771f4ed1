package dev.pgext.importer.run;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryBudgetTests {

	private static final int RANGE = 64 * 1024;

	private final MemoryBudget budget = new MemoryBudget(4 * RANGE, RANGE);

	@Test
	void aWholeRangeIsReadIntoAnArrayThatTheNextWholeRangeReuses() throws Exception {
		byte[] first;
		try (MemoryBudget.Reservation share = this.budget.reserve(RANGE)) {
			first = share.buffer();
			assertThat(first).hasSize(RANGE);
			assertThat(share.buffer()).isSameAs(first);
		}
		try (MemoryBudget.Reservation share = this.budget.reserve(RANGE)) {
			assertThat(share.buffer()).isSameAs(first);
		}
	}

	@Test
	void reservationsHeldAtOnceGetArraysOfTheirOwn() throws Exception {
		try (MemoryBudget.Reservation a = this.budget.reserve(RANGE);
				MemoryBudget.Reservation b = this.budget.reserve(RANGE)) {
			assertThat(a.buffer()).isNotSameAs(b.buffer());
		}
	}

	@Test
	void aShorterReadGetsNoArrayAndAClosedReservationLendsNone() throws Exception {
		MemoryBudget.Reservation share = this.budget.reserve(RANGE - 8192);
		assertThat(share.buffer()).isNull();
		share.close();
		MemoryBudget.Reservation whole = this.budget.reserve(RANGE);
		whole.close();
		assertThat(whole.buffer()).isNull();
	}

	@Test
	void anArrayAReadMayStillWriteIntoIsNeverLentAgain() throws Exception {
		byte[] forgotten;
		try (MemoryBudget.Reservation share = this.budget.reserve(RANGE)) {
			forgotten = share.buffer();
			share.forgetBuffer();
		}
		try (MemoryBudget.Reservation share = this.budget.reserve(RANGE)) {
			assertThat(share.buffer()).isNotSameAs(forgotten).hasSize(RANGE);
		}
	}

	@Test
	void theBudgetIsGivenBackWhenAReservationCloses() throws Exception {
		MemoryBudget.Reservation all = this.budget.reserve(4 * RANGE);
		assertThat(this.budget.tryReserve(RANGE)).isEmpty();
		all.close();
		assertThat(this.budget.tryReserve(4 * RANGE)).isPresent();
	}

}
